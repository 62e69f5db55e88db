/**
 * Counts in a sliding window, per key (an account, an app, a tenant), exact to the millisecond.
 *
 * A rule asks only "at least N in the last W?", so each key keeps the times of its last N events
 * and nothing else: the answer is yes exactly when the oldest of those is inside the window. No
 * buckets, hence no error at bucket edges, and memory bounded by N per key. Keys whose newest event
 * has left the window are dropped when the map outgrows `maxKeys`; past that the oldest keys go.
 */
export class SlidingWindow {
  private readonly keys = new Map<string, number[]>();

  constructor(
    readonly windowMs: number,
    readonly atLeast: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Records one event at `at` (ms since the epoch) for `key`. */
  add(key: string, at: number): void {
    let times = this.keys.get(key);
    if (!times) {
      if (this.keys.size >= this.maxKeys) this.evict(at);
      times = [];
      this.keys.set(key, times);
    }
    // Events arrive almost always in order; one that does not is slotted in place.
    let index = times.length;
    while (index > 0 && times[index - 1]! > at) index--;
    times.splice(index, 0, at);
    if (times.length > this.atLeast) times.shift();
  }

  /** Events for `key` in (at − window, at], capped at `atLeast`. */
  count(key: string, at: number): number {
    const times = this.keys.get(key);
    if (!times) return 0;
    const since = at - this.windowMs;
    let n = 0;
    for (const time of times) if (time > since && time <= at) n++;
    return n;
  }

  reached(key: string, at: number): boolean {
    return this.count(key, at) >= this.atLeast;
  }

  get size(): number {
    return this.keys.size;
  }

  private evict(at: number): void {
    for (const [key, times] of this.keys) if (times.at(-1)! <= at - this.windowMs) this.keys.delete(key);
    const excess = this.keys.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const key of this.keys.keys()) {
      if (dropped++ >= excess) break;
      this.keys.delete(key);
    }
  }
}

/**
 * The windows a tenant's rules count in, shared by signature (what is counted, per what, over how
 * long, up to how many), so a new rule version that keeps a count keeps its history.
 */
export class WindowRegistry {
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(private readonly maxKeys = 100_000) {}

  window(signature: string, windowMs: number, atLeast: number): SlidingWindow {
    let window = this.windows.get(signature);
    if (!window) {
      window = new SlidingWindow(windowMs, atLeast, this.maxKeys);
      this.windows.set(signature, window);
    }
    return window;
  }

  /** Forgets windows no rule in force counts in any more. */
  retain(signatures: ReadonlySet<string>): void {
    for (const signature of this.windows.keys()) if (!signatures.has(signature)) this.windows.delete(signature);
  }
}
