import type { EventInput, Recorded } from './events.ts';

type RecordMany = (tenantId: string, actor: string, events: EventInput[]) => Promise<Recorded[]>;

interface Waiting {
  event: EventInput;
  resolve(recorded: Recorded): void;
  reject(error: unknown): void;
}

/**
 * Group commit for single events: requests that arrive while a transaction for the same tenant and
 * caller is running are recorded together in the next one, so many concurrent requests share one
 * commit (one fsync) instead of queueing for one each. When a shared transaction fails, each of its
 * events is retried alone, so one bad event never fails the others.
 */
export class GroupCommitter {
  private readonly queues = new Map<string, { tenantId: string; actor: string; waiting: Waiting[] }>();

  /**
   * `windowMs`: how long the first request of a group waits for company. Without it, on SQLite's
   * single connection, the next request is still queued behind the previous transaction for its own
   * key lookup and every group would hold one event.
   */
  constructor(
    private readonly recordMany: RecordMany,
    private readonly maxGroup = 500,
    private readonly windowMs = 1,
  ) {}

  record(tenantId: string, actor: string, event: EventInput): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      const key = `${tenantId}\n${actor}`;
      const queue = this.queues.get(key);
      if (queue) {
        queue.waiting.push({ event, resolve, reject });
        return;
      }
      this.queues.set(key, { tenantId, actor, waiting: [{ event, resolve, reject }] });
      void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    const queue = this.queues.get(key)!;
    while (queue.waiting.length > 0) {
      if (queue.waiting.length < this.maxGroup) await new Promise((resolve) => setTimeout(resolve, this.windowMs));
      const group = queue.waiting.splice(0, this.maxGroup);
      await this.commit(queue.tenantId, queue.actor, group);
    }
    this.queues.delete(key);
  }

  private async commit(tenantId: string, actor: string, group: Waiting[]): Promise<void> {
    try {
      const recorded = await this.recordMany(tenantId, actor, group.map((w) => w.event));
      group.forEach((waiting, index) => waiting.resolve(recorded[index]!));
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
    }
    for (const waiting of group) {
      try {
        const [recorded] = await this.recordMany(tenantId, actor, [waiting.event]);
        waiting.resolve(recorded!);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
