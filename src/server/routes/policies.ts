import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { policyDocumentSchema, versionName } from '../../policy/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { listBySeq, pageQuery } from '../pagination.ts';
import { acceptYamlBodies } from '../yaml-body.ts';
import { pageOf, policyDiff, policySummary, policyVersion } from '../responses.ts';
import type { ZodTypeProvider } from '../zod.ts';

const versionParams = z.object({ version: versionName }).strict();
const diffParams = z.object({ a: versionName, b: versionName }).strict();

export async function policyRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { policies } = services;

  acceptYamlBodies(app);

  app.get('/v1/policies', { schema: { querystring: pageQuery, response: { 200: pageOf(policySummary) } } }, async (request) =>
    listBySeq(request.query, (page) => policies.page(principalOf(request).tenantId, page)),
  );

  app.get('/v1/policies/:version', { schema: { params: versionParams, response: { 200: policyVersion } } }, async (request) => {
    const stored = await policies.get(principalOf(request).tenantId, request.params.version);
    return { object: 'policy_version' as const, ...stored.summary, document: stored.document };
  });

  app.get('/v1/policies/:a/diff/:b', { schema: { params: diffParams, response: { 200: policyDiff } } }, async (request) => ({
    object: 'policy_diff' as const,
    ...(await policies.diff(principalOf(request).tenantId, request.params.a, request.params.b)),
  }));

  app.post('/v1/policies', { schema: { body: policyDocumentSchema, response: { 201: policyVersion } }, config: { roles: ['admin'] } }, async (request, reply) => {
    const stored = await policies.publish(principalOf(request).tenantId, request.body, actorOf(request));
    return reply.status(201).send({ object: 'policy_version' as const, ...stored.summary, document: stored.document });
  });
}
