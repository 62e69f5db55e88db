import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { type RuleDocument, backtest, backtestRangeSchema, ruleDocumentSchema, validateRuleDocument } from '../../rules/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { listBySeq, pageQuery } from '../pagination.ts';
import { acceptYamlBodies } from '../yaml-body.ts';
import type { ZodTypeProvider } from '../zod.ts';

const versionName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1–64 letters, digits, ".", "_" or "-"');
const versionParams = z.object({ version: versionName }).strict();
const shadowBody = z.object({ version: versionName.nullable() }).strict();
const backtestBody = backtestRangeSchema.extend({
  /** A candidate given in full, or… */
  document: z.unknown().optional(),
  /** …one already stored. */
  version: versionName.optional(),
});
const hitsQuery = z
  .object({
    from: z.string().datetime({ offset: true }),
    to: z.string().datetime({ offset: true }),
    version: versionName.optional(),
  })
  .strict();

const READERS = ['admin', 'reviewer'] as const;

/** Rule versions, what runs live and in shadow, the matches recorded, and backtests over history. */
export async function ruleRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rules, ruleHits, store } = services;
  acceptYamlBodies(app);

  app.get('/v1/rules/versions', { schema: { querystring: pageQuery }, config: { roles: READERS } }, async (request) =>
    listBySeq(request.query, (page) => rules.list(principalOf(request).tenantId, page)),
  );

  app.get('/v1/rules/versions/:version', { schema: { params: versionParams }, config: { roles: READERS } }, async (request) => {
    const stored = await rules.get(principalOf(request).tenantId, request.params.version);
    return { object: 'rules.version', ...stored.summary, document: stored.document };
  });

  app.post('/v1/rules/versions', { schema: { body: ruleDocumentSchema }, config: { roles: ['admin'] } }, async (request, reply) => {
    const tenantId = principalOf(request).tenantId;
    await assertClausesExist(services, tenantId, request.body);
    const stored = await rules.create(tenantId, request.body, actorOf(request));
    return reply.status(201).send({ object: 'rules.version', ...stored.summary, document: stored.document });
  });

  app.post('/v1/rules/versions/:version/publish', { schema: { params: versionParams }, config: { roles: ['admin'] } }, async (request) => ({
    object: 'rules.deployment',
    ...(await rules.publish(principalOf(request).tenantId, request.params.version, actorOf(request))),
  }));

  app.get('/v1/rules/deployment', { config: { roles: READERS } }, async (request) => ({
    object: 'rules.deployment',
    ...(await rules.deployment(principalOf(request).tenantId)),
  }));

  app.put('/v1/rules/shadow', { schema: { body: shadowBody }, config: { roles: ['admin'] } }, async (request) => ({
    object: 'rules.deployment',
    ...(await rules.setShadow(principalOf(request).tenantId, request.body.version, actorOf(request))),
  }));

  app.get('/v1/rules/hits', { schema: { querystring: hitsQuery }, config: { roles: READERS } }, async (request) => {
    await ruleHits.flush();
    const { from, to, version } = request.query;
    return { object: 'list', data: await ruleHits.counts(principalOf(request).tenantId, { from: new Date(from), to: new Date(to), version }) };
  });

  app.post('/v1/rules/backtest', { schema: { body: backtestBody }, config: { roles: ['admin'] } }, async (request) => {
    const tenantId = principalOf(request).tenantId;
    const { document, version, ...range } = request.body;
    if ((document === undefined) === (version === undefined)) throw new InvalidInput('Give either "document" (a rule version to try) or "version" (a stored one).', 'document');
    const candidate = document !== undefined ? validateRuleDocument(document, 'document.') : (await rules.get(tenantId, version!)).document;
    const { live } = await rules.deployment(tenantId);
    const liveDocument = live ? (await rules.get(tenantId, live)).document : null;
    return backtest(store.db, tenantId, candidate, liveDocument, range);
  });
}

/** A rule may flag only a clause the tenant's policy has. */
async function assertClausesExist(services: Services, tenantId: string, document: RuleDocument): Promise<void> {
  const flagged = document.rules.flatMap((rule, i) => rule.then.flatMap((action, j) => (action.flag_clause ? [{ id: action.flag_clause, path: `rules[${i}].then[${j}].flag_clause` }] : [])));
  if (!flagged.length) return;
  const policy = (await services.policies.current(tenantId)).document;
  const known = new Set(policy.clauses.map((c) => c.id));
  const unknown = flagged.find(({ id }) => !known.has(id));
  if (unknown) throw new InvalidInput(`${unknown.path}: "${unknown.id}" is not a clause of policy version ${policy.version}.`, unknown.path, 'unknown_clause');
}
