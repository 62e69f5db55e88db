import { createHash } from 'node:crypto';
import { type Clock, Hooks, highestScore, sha256Hex, yieldToEventLoop } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import type { Principal } from '../tenancy/index.ts';
import { FollowUpCommitter, requestFingerprint } from './committer.ts';
import { type Cascade, type JudgeNote, NO_CASCADE } from './cascade.ts';
import type { TenantModerationCache } from './contexts.ts';
import { type FollowUp, FollowUpPlan, type FollowUpResult } from './follow-up.ts';
import { resolveModel } from './models.ts';
import type { FullResponse, ModerationContext, ModerationResponse, ModerationResult, Moderator } from './moderator.ts';
import { type ImageModeration, withImageFindings } from './images.ts';
import type { VerdictDraft } from './rule-outcome.ts';
import { type ModerationItem, type ModerationRequest, moderationImages, moderationItems } from './request.ts';

/**
 * The longest the event loop is held by one request's detection before other requests (and
 * `/healthz`) get a turn: a long batch is moderated in slices of about this many milliseconds, and
 * an item too long for one slice goes to the detection thread (Moderator.belongsOnThread).
 */
export const SLICE_MS = 10;

export interface ModerationCall {
  principal: Principal;
  request: ModerationRequest;
  /** The request's `Idempotency-Key`: with it, the response id and every side effect's id derive from it. */
  idempotencyKey?: string | null;
}

/**
 * The moderation use case: a request in, verdicts out, and whatever must follow them (an event
 * against the named account, an automatic review case) written once, in one transaction, against
 * the policy version the verdicts used. Tenant settings come from caches: a request that needs no
 * side effect reads and writes no database.
 */
export class ModerationService {
  /**
   * Domains plan what follows a moderation here (enforcement, review), adding their writes to the
   * plan from cached state; the writes run later in the shared transaction.
   */
  readonly followUps = new Hooks<[followUp: FollowUp, plan: FollowUpPlan]>();
  /** Stages that may amend the verdicts before the response is built (the tenant's rules); they run before the follow-ups. */
  readonly verdictStages = new Hooks<[draft: VerdictDraft]>();
  private readonly committer: FollowUpCommitter;
  /** Moderations begun and not yet answered: what tells detect() whether the event loop has other requests to serve. */
  private inProgress = 0;

  constructor(
    private readonly moderator: Moderator,
    private readonly contexts: TenantModerationCache,
    private readonly images: ImageModeration,
    store: Store,
    private readonly clock: Clock,
    /** The stage after local detection (a tenant's LLM judge); a no-op for tenants without one. */
    private readonly cascade: Cascade = NO_CASCADE,
  ) {
    this.committer = new FollowUpCommitter(store, clock);
  }

  /**
   * Every stage below answers at once, without a promise, when it has nothing to wait for (tenant
   * settings in memory, no judge, no rules, no image, no write): a request with nothing to record
   * awaits only the detection thread, if its items went there.
   */
  async moderate(call: ModerationCall): Promise<ModerationResponse> {
    this.inProgress += 1;
    try {
      return await this.moderateOnce(call);
    } finally {
      this.inProgress -= 1;
    }
  }

  private async moderateOnce(call: ModerationCall): Promise<ModerationResponse> {
    const { principal, request } = call;
    const model = resolveModel(request.model);
    const items = moderationItems(request.input);
    const imageParts = moderationImages(request.input);
    // Images are fetched, decoded and hashed first: a bad one refuses the request before anything is recorded.
    const findings = imageParts.length ? await this.images.judge(principal.tenantId, imageParts) : [];
    const tenant = this.contexts.peek(principal.tenantId) ?? (await this.contexts.get(principal.tenantId));
    const { document, thresholds } = tenant;
    const context: ModerationContext = { document, thresholds, surface: 'api', model: tenant.model, shadow: tenant.shadow };
    const detected = this.detect(items, context);
    const results = Array.isArray(detected) ? detected : await detected;
    if (findings.length) results[0] = withImageFindings(results[0]!, findings, context);
    const account = request.warden?.account ?? request.user ?? null;
    const moderationId = call.idempotencyKey ? keyedId(principal.tenantId, call.idempotencyKey) : undefined;
    // Every category until the end: stages and follow-ups see the full results, the caller its model's shape.
    const local = this.moderator.fullResponse(model, results, moderationId);
    const judging = this.cascade.apply({ tenantId: principal.tenantId, moderationId: local.id, items, results: local.results, document, thresholds });
    const judged = judging && (await judging);
    const response = judged ? { ...local, results: judged.results } : local;
    // The tenant's rules have the last word, over the judge's verdict too.
    if (this.verdictStages.size) {
      const staging = this.verdictStages.run({ tenantId: principal.tenantId, moderationId: response.id, account, at: this.clock.now(), context, items, results: response.results });
      if (staging) await staging;
    }
    // Only text is kept; an image is known by its hashes (in the result's evidence), never by its bytes.
    const imageDigests = findings.map((f) => `\n${f.hashes.sha256}`).join('');
    const followUp = followUpOf(principal, account, response, items, context, imageDigests, judged?.notes);
    const plan = new FollowUpPlan();
    if (judged?.write) plan.add(judged.write);
    const planning = this.followUps.run(followUp, plan);
    if (planning) await planning;
    if (plan.writes.length === 0) return this.moderator.shaped(response);
    const fingerprint = call.idempotencyKey ? null : requestFingerprint(principal.tenantId, account, items, imageDigests);
    const committedId = await this.committer.commit({ tenantId: principal.tenantId, account, moderationId: response.id, fingerprint, plan });
    return this.moderator.shaped({ ...response, id: committedId });
  }

  /**
   * Detection of every item. Results are in the items' order, and the same wherever they were computed.
   * Once the detection thread is ready (a server starts it at once), a single item goes there: the event
   * loop goes on with HTTP meanwhile, so detection and the rest of the server use two cores, at the price of
   * a message each way (those of one turn of the event loop travel together). A batch of short items is
   * detected here and on the thread together, each taking the next item until they meet, so that a busy
   * thread leaves more to this one; while other requests are in progress, this thread yields the event loop
   * before each item it takes, so that under load it detects only in the time HTTP leaves it (+15% batch
   * throughput in an A/B against slices of SLICE_MS). Before the thread is ready, a short item is moderated
   * here, without a promise; anything with a long item goes through moderateInSlices.
   */
  private detect(items: ModerationItem[], context: ModerationContext): ModerationResult[] | Promise<ModerationResult[]> {
    const anyLong = items.some((parts) => this.moderator.belongsOnThread(parts));
    if (this.moderator.threadReady && !anyLong) {
      if (items.length === 1) return this.moderator.moderateItemOnThread(items[0]!, context).then((result) => [result]);
      // Alone, this thread computes its share in slices; among other requests, it takes one item between turns
      // of the event loop, so that their I/O comes first and the detection thread takes what this one does not reach.
      return this.moderator.moderateShared(items, context, this.inProgress > 1 ? 0 : SLICE_MS);
    }
    if (items.length === 1 && !anyLong) return [this.moderator.moderateItem(items[0]!, context)];
    return this.moderateInSlices(items, context);
  }

  /**
   * Long items on the detection thread, sent there first so that it works on them while the short ones are
   * moderated here, one at a time, yielding the event loop whenever a slice has run SLICE_MS.
   */
  private async moderateInSlices(items: ModerationItem[], context: ModerationContext): Promise<ModerationResult[]> {
    const onThread = items.map((parts) => (this.moderator.belongsOnThread(parts) ? this.moderator.moderateItemOnThread(parts, context) : null));
    // Handled at once: a rejection waits for Promise.all below without counting as unhandled meanwhile.
    for (const pending of onThread) pending?.catch(() => undefined);
    const results: (ModerationResult | Promise<ModerationResult>)[] = [];
    let sliceStart = performance.now();
    for (const [index, parts] of items.entries()) {
      const pending = onThread[index];
      if (pending) {
        results.push(pending);
        continue;
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      results.push(this.moderator.moderateItem(parts, context));
    }
    return Promise.all(results);
  }
}

/** A response id that the same tenant's same Idempotency-Key always gets. */
function keyedId(tenantId: string, idempotencyKey: string): string {
  return `modr-${createHash('sha256').update(`${tenantId}\n${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** `imageDigests`: the first input's images' sha256 digests, which its content digest covers. */
function followUpOf(
  principal: Principal,
  account: string | null,
  response: FullResponse,
  items: ModerationItem[],
  context: ModerationContext,
  imageDigests: string,
  notes: (JudgeNote | null)[] = [],
): FollowUp {
  const { document, surface } = context;
  return {
    tenantId: principal.tenantId,
    actor: `key:${principal.keyId}`,
    account,
    moderationId: response.id,
    surface,
    policy: { version: document.version, document },
    results: response.results.map((result, index) => new ResultFollowUp(index, result, items[index]!, index === 0 ? imageDigests : '', notes[index] ?? null)),
  };
}

/**
 * One result as enforcement and review see it. Most results need nothing to follow them, so what
 * only a follow-up uses (the content digest, the merged scores) is computed when first read.
 */
class ResultFollowUp implements FollowUpResult {
  readonly text: string;
  readonly violations: ModerationResult['warden']['violations'];
  readonly images?: ModerationResult['warden']['images'];
  readonly rules: FollowUpResult['rules'];
  readonly judge?: JudgeNote;
  private digested: string | null = null;
  private scores: Record<string, number> | null = null;

  constructor(
    readonly index: number,
    private readonly result: ModerationResult,
    parts: ModerationItem,
    private readonly imageDigests: string,
    judge: JudgeNote | null,
  ) {
    this.text = parts.length === 1 ? parts[0]! : parts.join('\n');
    this.violations = result.warden.violations;
    if (result.warden.images) this.images = result.warden.images;
    this.rules = result.warden.rules ?? null;
    if (judge) this.judge = judge;
  }

  get digest(): string {
    return (this.digested ??= sha256Hex(this.text + this.imageDigests));
  }

  get categoryScores(): Record<string, number> {
    return (this.scores ??= { ...this.result.category_scores, ...this.result.warden.category_scores });
  }

  get topScore(): readonly [string | null, number] {
    // Review asks this of every result: scanned without building the merged scores.
    return highestScore(this.result.warden.category_scores, highestScore(this.result.category_scores));
  }
}

