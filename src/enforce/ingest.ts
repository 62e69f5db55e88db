import type { Insertable } from 'kysely';
import type { AuditEntry } from '../audit/index.ts';
import { Conflict, newId } from '../common/index.ts';
import { type AccountRow, type ChildSafetyReportRow, type EnforcementEventsTable, type Tx, withTransaction } from '../db/index.ts';
import { type OutboxEvent, enqueueEvents } from '../notify/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { CHUNK, lockAccounts } from './accounts.ts';
import { type NewActionRow, type PlannedAction, actionView, planAction, roundScore } from './actions.ts';
import { planReport } from './child-safety.ts';
import type { EnforceContext } from './context.ts';
import type { EnforcementPolicy } from './enforcement-policy.ts';
import { type EventInput, type EventResult, type Recorded, bodyDigest, checkEvent, classify } from './events.ts';
import { type Exemption, activeExemptions } from './exemptions.ts';
import { type LadderAction, decideEscalation, ladderLevel, levelInForce } from './ladder.ts';
import { type ClassifiedViolation, decayFactor, decayed, strikeWeight } from './strikes.ts';

export interface IngestPolicies {
  usage: { version: string; document: PolicyDocument };
  enforcement: { version: string; document: EnforcementPolicy };
}

export interface IngestRequest {
  tenantId: string;
  tenantName: string;
  actor: string;
  events: EventInput[];
  /** Names a field of the i-th event in errors: `violations[0].clause_id` or `events[3].violations[0].clause_id`. */
  paramPrefix: (index: number) => string;
}

/** Per-account state carried through a batch, written back once at its end. */
interface AccountState {
  row: AccountRow;
  actions: LadderAction[];
  exemptions: Exemption[];
  /** Whether an event of this batch changed it (replays do not). */
  touched: boolean;
}

/** Everything a batch writes, gathered while evaluating and written in a few statements at the end. */
interface Writes {
  events: Insertable<EnforcementEventsTable>[];
  actions: NewActionRow[];
  reports: ChildSafetyReportRow[];
  outbox: OutboxEvent[];
  audit: AuditEntry[];
}

/**
 * Records violation events and evaluates each account's ladder, all in one transaction: a batch
 * is recorded entirely or not at all. Input is checked against the tenant's policy before anything is written.
 */
export async function ingestEvents(context: EnforceContext, policies: IngestPolicies, request: IngestRequest): Promise<Recorded[]> {
  checkEvents(context, policies, request);
  // A unique violation means another process recorded the same id at the same moment: the retry replays or refuses it.
  return withTransaction(context.store, (tx) => recordAll(tx, context, policies, request), { attempts: 8, retryUniqueViolation: true });
}

/** Records the events inside the caller's transaction: they commit, or roll back, with the caller's own writes. */
export async function ingestEventsIn(tx: Tx, context: EnforceContext, policies: IngestPolicies, request: IngestRequest): Promise<Recorded[]> {
  checkEvents(context, policies, request);
  return recordAll(tx, context, policies, request);
}

function checkEvents(context: EnforceContext, policies: IngestPolicies, request: IngestRequest): void {
  const now = context.clock.now();
  request.events.forEach((event, index) => checkEvent(event, policies.usage.document, now, request.paramPrefix(index)));
}

async function recordAll(tx: Tx, context: EnforceContext, policies: IngestPolicies, request: IngestRequest): Promise<Recorded[]> {
  const now = context.clock.now();
  const locked = await lockAccounts(tx, context, request.tenantId, request.events.map((e) => ({ externalId: e.account, kind: e.account_kind })));
  const priors = await priorRecords(tx, request.tenantId, request.events.map((e) => e.id));
  const states = await loadStates(tx, [...locked.values()], now);
  const writes: Writes = { events: [], actions: [], reports: [], outbox: [], audit: [] };
  const recorded = request.events.map((event, index) => {
    const digest = bodyDigest(event);
    const prior = priors.get(event.id);
    if (prior) {
      if (prior.body_digest !== digest) {
        throw new Conflict(`Event id "${event.id}" was already recorded with a different body.`, `${request.paramPrefix(index)}id`);
      }
      return { result: JSON.parse(prior.result) as EventResult, replayed: true };
    }
    const result = evaluate(now, policies, request, states.get(event.account)!, event, digest, writes);
    priors.set(event.id, { body_digest: digest, result: JSON.stringify(result) });
    return { result, replayed: false };
  });
  const changed = [...states.values()].filter((s) => s.touched).map((s) => s.row);
  await write(tx, context, writes, changed, now);
  return recorded;
}

async function priorRecords(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, { body_digest: string; result: string }>> {
  const priors = new Map<string, { body_digest: string; result: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const rows = await tx
      .selectFrom('enforcement_events')
      .select(['idempotency_key', 'body_digest', 'result'])
      .where('tenant_id', '=', tenantId)
      .where('idempotency_key', 'in', unique.slice(i, i + CHUNK))
      .execute();
    for (const row of rows) priors.set(row.idempotency_key, row);
  }
  return priors;
}

async function loadStates(tx: Tx, accounts: AccountRow[], now: Date): Promise<Map<string, AccountState>> {
  const states = new Map(accounts.map((row) => [row.id, { row: { ...row }, actions: [] as LadderAction[], exemptions: [] as Exemption[], touched: false }]));
  const ids = [...states.keys()];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const actions = await tx.selectFrom('enforcement_actions').select(['account_id', 'rung', 'ends_at', 'reversed_at']).where('account_id', 'in', chunk).execute();
    for (const action of actions) states.get(action.account_id)!.actions.push(action);
    for (const exemption of await activeExemptions(tx, chunk, now)) states.get(exemption.account_id)!.exemptions.push(exemption);
  }
  return new Map([...states.values()].map((state) => [state.row.external_id, state]));
}

/** Evaluates one event against the account's state (which it advances) and gathers what it writes. */
function evaluate(now: Date, policies: IngestPolicies, request: IngestRequest, state: AccountState, event: EventInput, digest: string, writes: Writes): EventResult {
  const policy = policies.enforcement.document;
  const occurredAt = event.occurred_at ? new Date(event.occurred_at) : now;
  const violations = classify(event, policies.usage.document, state.exemptions);
  const weight = strikeWeight(violations, policy);
  const score = decayed(state.row.score, new Date(state.row.score_at), now, policy.half_life_days) + weight * decayFactor(occurredAt, now, policy.half_life_days);
  const level = ladderLevel(state.actions);
  const escalation = decideEscalation({ policy, level, inForce: levelInForce(state.actions, now), score, violations, now });
  const internalId = newId('evt');
  const action = escalation
    ? planAction(now, {
        tenantId: request.tenantId,
        actor: request.actor,
        account: state.row,
        escalation,
        previous: level,
        eventInternalId: internalId,
        eventId: event.id,
        score,
        enforcementVersion: policies.enforcement.version,
      })
    : null;
  const report = violations.some((v) => v.child_safety) ? planReport(now, reportFor(request, state, event, internalId, occurredAt, violations), request.actor) : null;
  if (action) state.actions.push(action.row);
  state.row.score = score;
  state.row.score_at = now.toISOString();
  state.touched = true;

  const result: EventResult = {
    object: 'enforcement_event',
    id: event.id,
    account: event.account,
    source: event.source,
    occurred_at: occurredAt.toISOString(),
    recorded_at: now.toISOString(),
    violations,
    counted: weight > 0,
    weight,
    score: roundScore(score),
    rung: ladderLevel(state.actions),
    in_force: levelInForce(state.actions, now),
    action: action ? actionView(action.row, now) : null,
    child_safety_report: report?.row.id ?? null,
    policy_version: policies.usage.version,
    enforcement_version: policies.enforcement.version,
  };
  gather(writes, request, { internalId, accountId: state.row.id, event, digest, result, action, report });
  return result;
}

/** Adds one evaluated event's rows, outbox events and audit entries to the batch's writes. */
function gather(
  writes: Writes,
  request: IngestRequest,
  recorded: { internalId: string; accountId: string; event: EventInput; digest: string; result: EventResult; action: PlannedAction | null; report: ReturnType<typeof planReport> | null },
): void {
  const { event, result, action, report } = recorded;
  if (action) {
    writes.actions.push(action.row);
    writes.outbox.push(action.outbox);
    writes.audit.push(action.audit);
  }
  if (report) {
    writes.reports.push(report.row);
    writes.audit.push(report.audit);
  }
  const childSafety = report !== null;
  writes.events.push({
    id: recorded.internalId,
    tenant_id: request.tenantId,
    account_id: recorded.accountId,
    idempotency_key: event.id,
    body_digest: recorded.digest,
    source: event.source,
    occurred_at: result.occurred_at,
    recorded_at: result.recorded_at,
    violations: JSON.stringify(result.violations),
    // Child-safety evidence lives only in the report, where only the child_safety role sees it.
    evidence: childSafety ? null : JSON.stringify(event.violations.map((v) => v.evidence ?? [])),
    weight: result.weight,
    content_digest: event.content?.digest ?? null,
    content_type: event.content?.type ?? null,
    reviewer: event.reviewer ?? null,
    policy_version: result.policy_version,
    enforcement_version: result.enforcement_version,
    child_safety: childSafety ? 1 : 0,
    retention_hold: childSafety ? 1 : 0,
    voided_at: null,
    voided_by: null,
    result: JSON.stringify(result),
  });
  writes.audit.push({
    tenantId: request.tenantId,
    actor: request.actor,
    action: 'enforcement.event_recorded',
    target: event.id,
    payload: {
      account: event.account,
      source: event.source,
      weight: result.weight,
      clause_ids: result.violations.map((v) => v.clause_id),
      exempt: result.violations.filter((v) => v.exempt).map((v) => v.exemption_id),
    },
  });
}

async function write(tx: Tx, context: EnforceContext, writes: Writes, accounts: AccountRow[], now: Date): Promise<void> {
  // Statements stay well under both databases' limits on bound parameters (about 25 columns a row).
  const rowsPerInsert = 200;
  for (let i = 0; i < writes.events.length; i += rowsPerInsert) await tx.insertInto('enforcement_events').values(writes.events.slice(i, i + rowsPerInsert)).execute();
  for (let i = 0; i < writes.actions.length; i += rowsPerInsert) await tx.insertInto('enforcement_actions').values(writes.actions.slice(i, i + rowsPerInsert)).execute();
  for (let i = 0; i < writes.reports.length; i += rowsPerInsert) await tx.insertInto('child_safety_reports').values(writes.reports.slice(i, i + rowsPerInsert)).execute();
  await enqueueEvents(tx, writes.outbox);
  const updatedAt = now.toISOString();
  for (let i = 0; i < accounts.length; i += rowsPerInsert) {
    await tx
      .insertInto('accounts')
      .values(accounts.slice(i, i + rowsPerInsert).map((row) => ({ ...row, updated_at: updatedAt })))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({ score: eb.ref('excluded.score'), score_at: eb.ref('excluded.score_at'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .execute();
  }
  await context.audit.appendMany(tx, writes.audit);
}

function reportFor(request: IngestRequest, state: AccountState, event: EventInput, eventId: string, occurredAt: Date, violations: ClassifiedViolation[]) {
  const flagged = violations.map((v, index) => ({ violation: v, evidence: event.violations[index]?.evidence ?? [] })).filter(({ violation }) => violation.child_safety);
  return {
    tenantId: request.tenantId,
    tenantName: request.tenantName,
    accountId: state.row.id,
    accountExternalId: state.row.external_id,
    eventId,
    incidentAt: occurredAt.toISOString(),
    contentDigest: event.content?.digest ?? null,
    contentType: event.content?.type ?? null,
    detectionSource: event.source,
    reviewer: event.reviewer ?? null,
    clauseIds: [...new Set(flagged.map(({ violation }) => violation.clause_id))],
    evidence: flagged.map(({ violation, evidence }) => ({ clause_id: violation.clause_id, category: violation.category, score: violation.score, evidence })),
  };
}

