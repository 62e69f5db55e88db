import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { appealDecisionInput, appealInput, enforcementPolicySchema, eventInput, exemptionInput } from '../../enforce/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { CREATED_KEY, listBySeq, listPage, pageQuery } from '../pagination.ts';
import {
  accountStanding,
  appeal,
  enforcementEvent,
  enforcementPolicy,
  enforcementPolicyPage,
  exemption,
  exemptionPage,
  recordedEvents,
  reversedAction,
} from '../responses/enforcement.ts';
import type { ZodTypeProvider } from '../zod.ts';

const MAX_BATCH = 1000;
const accountParams = z.object({ id: z.string().min(1).max(256) }).strict();
const actionParams = z.object({ id: z.string().min(1).max(256), actionId: z.string().min(1).max(100) }).strict();
const idParams = z.object({ id: z.string().min(1).max(100) }).strict();
const batchBody = z.object({ events: z.array(eventInput).min(1).max(MAX_BATCH) }).strict();
const reverseBody = z.object({ reason: z.string().min(1).max(2000) }).strict();
const exemptionQuery = pageQuery.extend({ account: z.string().min(1).max(256).optional() }).strict();

const writers = { roles: ['admin', 'client'] as const };
const readers = { roles: ['admin', 'reviewer', 'client', 'child_safety'] as const };
const adminOnly = { roles: ['admin'] as const };

/** Violation events, accounts' standing, reversals, appeals, exemptions and the enforcement policy. */
export async function enforcementRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { enforcement } = services;

  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseYaml(body as string));
    } catch (error) {
      done(new InvalidInput(`The request body is not valid YAML: ${(error as Error).message}`, null, 'invalid_yaml'));
    }
  });

  app.post('/v1/events', { schema: { body: eventInput, response: { 200: enforcementEvent.describe('A replay: the id was recorded before, and this is its original answer.'), 201: enforcementEvent } }, config: writers }, async (request, reply) => {
    const recorded = await enforcement.recordEvent(principalOf(request).tenantId, actorOf(request), request.body);
    if (recorded.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(recorded.replayed ? 200 : 201).send(recorded.result);
  });

  app.post('/v1/events/batch', { schema: { body: batchBody, response: { 200: recordedEvents } }, config: writers }, async (request) => {
    const recorded = await enforcement.recordEvents(principalOf(request).tenantId, actorOf(request), request.body.events, (index) => `events[${index}].`);
    return { object: 'list' as const, data: recorded.map((r) => ({ ...r.result, replayed: r.replayed })) };
  });

  app.get('/v1/accounts/:id/standing', { schema: { params: accountParams, response: { 200: accountStanding } }, config: readers }, async (request) =>
    enforcement.standing(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/accounts/:id/actions/:actionId/reverse', { schema: { params: actionParams, body: reverseBody, response: { 200: reversedAction } }, config: adminOnly }, async (request) =>
    enforcement.reverse(principalOf(request).tenantId, request.params.id, request.params.actionId, request.body.reason, actorOf(request)),
  );

  app.post('/v1/accounts/:id/appeals', { schema: { params: accountParams, body: appealInput, response: { 201: appeal } }, config: writers }, async (request, reply) =>
    reply.status(201).send(await enforcement.openAppeal(principalOf(request).tenantId, request.params.id, request.body, actorOf(request))),
  );

  app.get('/v1/appeals/:id', { schema: { params: idParams, response: { 200: appeal } }, config: readers }, async (request) =>
    enforcement.appeal(principalOf(request).tenantId, request.params.id),
  );

  app.post('/v1/appeals/:id/decision', { schema: { params: idParams, body: appealDecisionInput, response: { 200: appeal } }, config: adminOnly }, async (request) =>
    enforcement.decideAppeal(principalOf(request).tenantId, request.params.id, request.body, actorOf(request)),
  );

  app.post('/v1/exemptions', { schema: { body: exemptionInput, response: { 201: exemption } }, config: adminOnly }, async (request, reply) =>
    reply.status(201).send(await enforcement.grantExemption(principalOf(request).tenantId, request.body, actorOf(request))),
  );

  app.get('/v1/exemptions', { schema: { querystring: exemptionQuery, response: { 200: exemptionPage } }, config: adminOnly }, async (request) =>
    listPage(request.query, CREATED_KEY, (page) => enforcement.exemptions(principalOf(request).tenantId, page, request.query.account), (row) => [row.created_at, row.id]),
  );

  app.get('/v1/exemptions/:id', { schema: { params: idParams, response: { 200: exemption } }, config: adminOnly }, async (request) =>
    enforcement.exemption(principalOf(request).tenantId, request.params.id),
  );

  app.delete('/v1/exemptions/:id', { schema: { params: idParams, response: { 200: exemption } }, config: adminOnly }, async (request) =>
    enforcement.revokeExemption(principalOf(request).tenantId, request.params.id, actorOf(request)),
  );

  app.get('/v1/enforcement/policy', { schema: { response: { 200: enforcementPolicy } }, config: readers }, async (request) => ({
    object: 'enforcement_policy' as const,
    ...(await enforcement.policies.current(principalOf(request).tenantId)),
  }));

  app.get('/v1/enforcement/policies', { schema: { querystring: pageQuery, response: { 200: enforcementPolicyPage } }, config: readers }, async (request) => {
    const page = await listBySeq(request.query, (p) => enforcement.policies.list(principalOf(request).tenantId, p));
    return { ...page, data: page.data.map((p) => ({ object: 'enforcement_policy' as const, ...p })) };
  });

  app.post('/v1/enforcement/policies', { schema: { body: enforcementPolicySchema, response: { 201: enforcementPolicy } }, config: adminOnly }, async (request, reply) =>
    reply.status(201).send({ object: 'enforcement_policy' as const, ...(await enforcement.policies.publish(principalOf(request).tenantId, request.body, actorOf(request))) }),
  );
}
