/** Writes many callers' items in one go; resolves with one result per item, in order. */
export type CommitMany<Item, Result> = (items: Item[]) => Promise<Result[]>;

export interface GroupCommitOptions {
  /** Most items in one group. */
  maxGroup?: number;
  /**
   * How long the first item of a group waits for company, in ms. Without it, on SQLite's single
   * connection, the next request is still queued behind the previous transaction for its own reads
   * and every group would hold one item. 0: the group holds what is queued by the end of the current
   * turn of the event loop (and, as ever, whatever arrived while the previous group committed), for
   * callers that read nothing from the database before they submit.
   */
  windowMs?: number;
  /**
   * When set, the window grows to as long as the last group took to commit, up to this many ms.
   * A commit that waits on fsync holds SQLite's event loop for its whole duration (6 ms on a busy
   * disk), so waiting about as long for company lets several requests share each fsync instead of
   * paying one each; when commits are fast, the window stays at windowMs.
   */
  maxWindowMs?: number;
  /** Run whenever a queue has drained (outside any group's transaction), e.g. to prune a ledger. */
  onIdle?: () => Promise<void>;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items that arrive while a group is being written are written together in the next
 * one, so many concurrent requests share one transaction (one commit, one fsync) instead of queueing
 * for one each. Items are grouped by a key (items of different keys never share a group). Each
 * caller's promise settles when its own item has been written, so a read issued after it sees the
 * effect. When a shared group fails, each of its items is written again alone, so one bad item
 * never fails the others.
 */
export class GroupCommit<Item, Result> {
  private readonly queues = new Map<string, Waiting<Item, Result>[]>();
  private readonly maxGroup: number;
  private readonly windowMs: number;
  private lastCommitMs = 0;

  constructor(
    private readonly commitMany: CommitMany<Item, Result>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 200;
    this.windowMs = options.windowMs ?? 1;
  }

  /** Queues `item` with the others of its `key`; resolves with its result once its group has committed. */
  submit(key: string, item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ item, resolve, reject });
        return;
      }
      this.queues.set(key, [{ item, resolve, reject }]);
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    try {
      while (queue.length > 0) {
        if (queue.length < this.maxGroup) await waitFor(this.window());
        const started = performance.now();
        await this.commit(queue.splice(0, this.maxGroup));
        this.lastCommitMs = performance.now() - started;
      }
    } finally {
      this.queues.delete(key);
    }
    await this.options.onIdle?.().catch(() => undefined);
  }

  private window(): number {
    const { maxWindowMs } = this.options;
    return maxWindowMs === undefined ? this.windowMs : Math.min(maxWindowMs, Math.max(this.windowMs, this.lastCommitMs));
  }

  private async commit(group: Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await this.commitMany(group.map((waiting) => waiting.item));
      group.forEach((waiting, index) => waiting.resolve(results[index]!));
      return;
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
    }
    for (const waiting of group) {
      try {
        waiting.resolve((await this.commitMany([waiting.item]))[0]!);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}

/** Resolves after `ms` milliseconds, or at the end of this turn of the event loop for 0 (a timer waits at least 1 ms). */
function waitFor(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
