import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InvalidInput } from '../../common/index.ts';
import { ACTION_KINDS, RULE_MODES, type RuleDocument, backtest, backtestRangeSchema, ruleDocumentSchema, validateRuleDocument } from '../../rules/index.ts';
import { actorOf, principalOf } from '../auth.ts';
import type { Services } from '../../app/index.ts';
import { listBySeq, pageQuery } from '../pagination.ts';
import { pageOf } from '../responses.ts';
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

const ruleVersionSummary = z.object({
  version: z.string(),
  summary: z.string(),
  rules: z.number().int(),
  digest: z.string(),
  created_at: z.string(),
  created_by: z.string(),
  live: z.boolean(),
  shadow: z.boolean(),
});
const ruleVersion = ruleVersionSummary.extend({ object: z.literal('rules.version'), document: ruleDocumentSchema });
const ruleDeployment = z.object({ object: z.literal('rules.deployment'), live: z.string().nullable(), shadow: z.string().nullable() });
const perAction = z.record(z.enum(ACTION_KINDS), z.number().int());
const ruleHitCounts = z.object({
  version: z.string(),
  rule: z.string(),
  mode: z.enum(RULE_MODES),
  matches: z.number().int(),
  accounts: z.number().int(),
  actions: perAction.describe('Per action kind, how many matches asked for it (taken when live, only recorded in shadow).'),
  examples: z.array(z.object({ subject_ref: z.string().nullable(), account: z.string().nullable(), source: z.string(), at: z.string() })),
});
const versionEffect = z.object({
  version: z.string(),
  matched_items: z.number().int(),
  actions: perAction,
  shadow_actions: perAction,
  accounts_affected: z.number().int(),
  rules: z.array(z.object({ id: z.string(), mode: z.string(), matches: z.number().int(), accounts: z.number().int() })),
});
const backtestReport = z.object({
  object: z.literal('rules.backtest'),
  from: z.string(),
  to: z.string(),
  items: z.record(z.string(), z.number().int()).describe('Items replayed, per source.'),
  truncated: z.boolean(),
  candidate: versionEffect,
  live: versionEffect.nullable(),
  changed_items: z.number().int(),
  action_delta: perAction,
  accounts: z.array(z.string()),
  examples: z.array(
    z.object({
      ref: z.string(),
      at: z.string(),
      source: z.string(),
      account: z.string().nullable(),
      rules: z.array(z.string()),
      actions: z.array(z.enum(ACTION_KINDS)),
      live_actions: z.array(z.enum(ACTION_KINDS)),
    }),
  ),
});

/** Rule versions, what runs live and in shadow, the matches recorded, and backtests over history. */
export async function ruleRoutes(root: FastifyInstance, { services }: { services: Services }) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { rules, ruleHits, store } = services;
  acceptYamlBodies(app);

  app.get('/v1/rules/versions', { schema: { querystring: pageQuery, response: { 200: pageOf(ruleVersionSummary) } }, config: { roles: READERS } }, async (request) =>
    listBySeq(request.query, (page) => rules.list(principalOf(request).tenantId, page)),
  );

  app.get('/v1/rules/versions/:version', { schema: { params: versionParams, response: { 200: ruleVersion } }, config: { roles: READERS } }, async (request) => {
    const stored = await rules.get(principalOf(request).tenantId, request.params.version);
    return { object: 'rules.version' as const, ...stored.summary, document: stored.document };
  });

  app.post('/v1/rules/versions', { schema: { body: ruleDocumentSchema, response: { 201: ruleVersion } }, config: { roles: ['admin'] } }, async (request, reply) => {
    const tenantId = principalOf(request).tenantId;
    await assertClausesExist(services, tenantId, request.body);
    const stored = await rules.create(tenantId, request.body, actorOf(request));
    return reply.status(201).send({ object: 'rules.version', ...stored.summary, document: stored.document });
  });

  app.post('/v1/rules/versions/:version/publish', { schema: { params: versionParams, response: { 200: ruleDeployment } }, config: { roles: ['admin'] } }, async (request) => ({
    object: 'rules.deployment' as const,
    ...(await rules.publish(principalOf(request).tenantId, request.params.version, actorOf(request))),
  }));

  app.get('/v1/rules/deployment', { schema: { response: { 200: ruleDeployment } }, config: { roles: READERS } }, async (request) => ({
    object: 'rules.deployment' as const,
    ...(await rules.deployment(principalOf(request).tenantId)),
  }));

  app.put('/v1/rules/shadow', { schema: { body: shadowBody, response: { 200: ruleDeployment } }, config: { roles: ['admin'] } }, async (request) => ({
    object: 'rules.deployment' as const,
    ...(await rules.setShadow(principalOf(request).tenantId, request.body.version, actorOf(request))),
  }));

  app.get('/v1/rules/hits', { schema: { querystring: hitsQuery, response: { 200: z.object({ object: z.literal('list'), data: z.array(ruleHitCounts) }) } }, config: { roles: READERS } }, async (request) => {
    await ruleHits.flush();
    const { from, to, version } = request.query;
    return { object: 'list' as const, data: await ruleHits.counts(principalOf(request).tenantId, { from: new Date(from), to: new Date(to), version }) };
  });

  app.post('/v1/rules/backtest', { schema: { body: backtestBody, response: { 200: backtestReport } }, config: { roles: ['admin'] } }, async (request) => {
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
