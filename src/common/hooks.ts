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

  /** Calls every subscriber in turn. */
  async run(...args: Args): Promise<void> {
    for (const subscriber of this.subscribers) await subscriber(...args);
  }

  get size(): number {
    return this.subscribers.length;
  }
}
