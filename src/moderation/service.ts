import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Clock, Hooks, sha256Hex } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { Principal } from '../tenancy/index.ts';
import { FollowUpCommitter, requestFingerprint } from './committer.ts';
import type { TenantModerationCache } from './contexts.ts';
import { type FollowUp, FollowUpPlan } from './follow-up.ts';
import { resolveModel } from './models.ts';
import type { ModerationContext, ModerationResponse, ModerationResult, Moderator } from './moderator.ts';
import { type ImageModeration, withImageFindings } from './images.ts';
import { type ModerationItem, type ModerationRequest, moderationImages, moderationItems } from './request.ts';

/**
 * The longest the event loop is held by one request's detection before other requests (and
 * `/healthz`) get a turn: a long batch is moderated in slices of about this many milliseconds.
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
  private readonly committer: FollowUpCommitter;

  constructor(
    private readonly moderator: Moderator,
    private readonly contexts: TenantModerationCache,
    private readonly images: ImageModeration,
    store: Store,
    clock: Clock,
  ) {
    this.committer = new FollowUpCommitter(store, clock);
  }

  async moderate(call: ModerationCall): Promise<ModerationResponse> {
    const { principal, request } = call;
    const model = resolveModel(request.model);
    const items = moderationItems(request.input);
    const imageParts = moderationImages(request.input);
    // Images are fetched, decoded and hashed first: a bad one refuses the request before anything is recorded.
    const findings = imageParts.length ? await this.images.judge(principal.tenantId, imageParts) : [];
    const { document, thresholds } = await this.contexts.get(principal.tenantId);
    const results = await this.moderateInSlices(items, { document, thresholds, surface: 'api' });
    if (findings.length) results[0] = withImageFindings(results[0]!, findings, document);
    const account = request.warden?.account ?? request.user ?? null;
    const moderationId = call.idempotencyKey ? keyedId(principal.tenantId, call.idempotencyKey) : undefined;
    const response = this.moderator.response(model, results, moderationId);
    // Only text is kept; an image is known by its hashes (in the result's evidence), never by its bytes.
    const imageDigests = findings.map((f) => `\n${f.hashes.sha256}`).join('');
    const followUp = followUpOf(principal, account, response.id, results, items, document, imageDigests);
    const plan = new FollowUpPlan();
    await this.followUps.run(followUp, plan);
    if (plan.writes.length === 0) return response;
    const fingerprint = call.idempotencyKey ? null : requestFingerprint(principal.tenantId, account, items, imageDigests);
    const committedId = await this.committer.commit({ tenantId: principal.tenantId, moderationId: response.id, fingerprint, plan });
    return { ...response, id: committedId };
  }

  /** Detection one item at a time, yielding the event loop whenever a slice has run SLICE_MS. */
  private async moderateInSlices(items: ModerationItem[], context: ModerationContext): Promise<ModerationResult[]> {
    const results: ModerationResult[] = [];
    let sliceStart = performance.now();
    for (const parts of items) {
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      results.push(this.moderator.moderateItem(parts, context));
    }
    return results;
  }
}

/** A response id that the same tenant's same Idempotency-Key always gets. */
function keyedId(tenantId: string, idempotencyKey: string): string {
  return `modr-${createHash('sha256').update(`${tenantId}\n${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/**
 * What follows the verdicts, from the full results (every category scored, whichever model's shape the caller
 * asked for). `imageDigests`: the first input's images' sha256 digests, which its content digest covers.
 */
function followUpOf(
  principal: Principal,
  account: string | null,
  moderationId: string,
  results: ModerationResult[],
  items: ModerationItem[],
  document: PolicyDocument,
  imageDigests: string,
): FollowUp {
  return {
    tenantId: principal.tenantId,
    actor: `key:${principal.keyId}`,
    account,
    moderationId,
    policy: { version: document.version, document },
    results: results.map((result, index) => {
      const text = items[index]!.join('\n');
      return {
        index,
        digest: sha256Hex(index === 0 ? text + imageDigests : text),
        text,
        violations: result.warden.violations,
        categoryScores: { ...result.category_scores, ...result.warden.category_scores } as Record<string, number>,
      };
    }),
  };
}
