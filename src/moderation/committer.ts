import { type Clock, sha256Hex } from '../common/index.ts';
import { GroupCommit, type Store, type Tx, lockKeysExclusively, withTransaction } from '../db/index.ts';
import type { FollowUpPlan } from './follow-up.ts';

/**
 * How long a moderation request's side effects stand for an identical request (same tenant,
 * account and inputs) sent without an `Idempotency-Key`: such a request within the window is taken
 * for a retry of the first and writes nothing. SDKs retry within seconds.
 */
export const RETRY_WINDOW_MS = 60_000;
/** How long `moderation_requests` rows are kept (they only need to outlive the retry window). */
const PRUNE_EVERY_MS = 60_000;

/** One request's side effects on their way into a shared transaction. */
export interface PendingFollowUp {
  tenantId: string;
  /** The account the request named, if any: one account's follow-ups always share a queue (see commit). */
  account: string | null;
  moderationId: string;
  /** Digest of who asked about what; null when an Idempotency-Key already makes the ids deterministic. */
  fingerprint: string | null;
  plan: FollowUpPlan;
}

/** The queue a follow-up joins, of `queues`: by account, else by request (a request and its retries share one). */
function queueOf(pending: PendingFollowUp, queues: number): string {
  if (queues <= 1) return '0';
  const by = `${pending.tenantId}\n${pending.account ?? pending.fingerprint ?? pending.moderationId}`;
  return String(Number.parseInt(sha256Hex(by).slice(0, 8), 16) % queues);
}

/** The digest that identifies a request for the retry window. */
export function requestFingerprint(tenantId: string, account: string | null, items: string[][], imageDigests: string): string {
  return sha256Hex(JSON.stringify([tenantId, account, items, imageDigests]));
}

/**
 * Moderation side effects, group-committed (db's GroupCommit): the follow-ups of requests that
 * arrive while a transaction is running are written together in the next one. Each request's
 * answer waits for its commit, so a read issued after the answer (an account's standing, on any
 * replica) sees its effect.
 */
export class FollowUpCommitter {
  private readonly groups: GroupCommit<PendingFollowUp, string>;
  private prunedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {
    // No window: moderation reads nothing from the database before it submits, so the requests that arrive while
    // a group commits (and, on SQLite, while its fsync holds the connection) form the next group anyway; a window
    // only made flagged requests wait (the p99 of bench:http's requests with `user` was 31–54 ms with up to
    // 10 ms, 18–23 ms with 1 ms, at the same requests/s; without one, no worse than with 2 ms in an A/B).
    this.groups = new GroupCommit((group) => this.transaction(group), { maxGroup: 200, windowMs: 0, onIdle: () => this.prune() });
  }

  /**
   * Commits the follow-up; resolves with the moderation id its effects carry (the first attempt's, for a retry).
   * Follow-ups queue in as many queues as the store runs write transactions at once (one on SQLite), by
   * account (else by request): a request and its retries, and one account's requests, always share a queue.
   * Queues' groups may commit at the same moment, each taking the locks its writes declared first (see transaction).
   */
  commit(pending: PendingFollowUp): Promise<string> {
    return this.groups.submit(queueOf(pending, this.store.writeConcurrency), pending);
  }

  /** A unique violation means another process committed the same request at the same moment: the retry sees it. */
  private transaction(group: PendingFollowUp[]): Promise<string[]> {
    return withTransaction(
      this.store,
      async (tx) => {
        // Every lock the group's writes declared, in one order, before any write: two groups that touch the
        // same account or review target queue for it instead of each locking one row the other needs.
        await lockKeysExclusively(this.store, tx, group.flatMap((pending) => pending.plan.locks));
        const ids: string[] = [];
        for (const pending of group) ids.push(await this.write(tx, pending));
        return ids;
      },
      { attempts: 8, retryUniqueViolation: true },
    );
  }

  private async write(tx: Tx, pending: PendingFollowUp): Promise<string> {
    if (pending.fingerprint !== null) {
      const earlier = await this.claim(tx, pending.tenantId, pending.fingerprint, pending.moderationId);
      if (earlier !== null) return earlier;
    }
    for (const write of pending.plan.writes) await write(tx);
    return pending.moderationId;
  }

  /** Records the request in the ledger; returns the earlier request's id when this one is its retry. */
  private async claim(tx: Tx, tenantId: string, fingerprint: string, moderationId: string): Promise<string | null> {
    const now = this.clock.now();
    const at = now.toISOString();
    // A new request (the common case) costs this one statement. Another process inserting the same request at the
    // same moment makes this one wait for it and insert nothing: the read below then sees its row.
    const inserted = await tx
      .insertInto('moderation_requests')
      .values({ tenant_id: tenantId, fingerprint, moderation_id: moderationId, created_at: at })
      .onConflict((conflict) => conflict.columns(['tenant_id', 'fingerprint']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return null;
    const row = await tx
      .selectFrom('moderation_requests')
      .select(['moderation_id', 'created_at'])
      .where('tenant_id', '=', tenantId)
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirstOrThrow();
    if (now.getTime() - Date.parse(row.created_at) < RETRY_WINDOW_MS) return row.moderation_id;
    const taken = await tx
      .updateTable('moderation_requests')
      .set({ moderation_id: moderationId, created_at: at })
      .where('tenant_id', '=', tenantId)
      .where('fingerprint', '=', fingerprint)
      .where('created_at', '=', row.created_at)
      .executeTakeFirst();
    // Another process renewed the row just now for an identical request: this one is its twin.
    return taken.numUpdatedRows === 0n ? row.moderation_id : null;
  }

  /** Drops ledger rows past the retry window, at most once a minute, outside any request's transaction. */
  private async prune(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    const before = new Date(now - RETRY_WINDOW_MS).toISOString();
    await this.store.db.deleteFrom('moderation_requests').where('created_at', '<', before).execute().catch(() => undefined);
  }
}
