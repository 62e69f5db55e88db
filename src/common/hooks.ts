/**
 * A typed list of subscribers that a domain calls at one point of its work: the one way domains
 * let others act on what they do without importing them (the composition root in src/app wires
 * the subscribers). Subscribers run in the order they subscribed, one after the other; the first
 * failure stops the rest and reaches the caller, so a subscriber that writes in the caller's
 * transaction makes the whole transaction fail with it.
 */
export class Hooks<Args extends unknown[]> {
  private readonly subscribers: ((...args: Args) => Promise<void> | void)[] = [];

  /** Adds a subscriber; the returned function removes it again. */
  subscribe(subscriber: (...args: Args) => Promise<void> | void): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index >= 0) this.subscribers.splice(index, 1);
    };
  }

  /**
   * Calls every subscriber in turn. Subscribers that answer synchronously cost no promise: the
   * result is undefined when all of them did (the moderation hot path's case), else a promise of
   * the rest, awaited one after the other.
   *
   * @example
   * const pending = hooks.run(followUp, plan);
   * if (pending) await pending;
   */
  run(...args: Args): Promise<void> | undefined {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const answer = subscribers[i]!(...args);
      if (answer instanceof Promise) return this.runFrom(answer, i + 1, args);
    }
    return undefined;
  }

  private async runFrom(first: Promise<void>, next: number, args: Args): Promise<void> {
    await first;
    const subscribers = this.subscribers;
    for (let i = next; i < subscribers.length; i++) await subscribers[i]!(...args);
  }

  get size(): number {
    return this.subscribers.length;
  }
}
