import type { Clock } from './clock.ts';

/**
 * Runs a pass of background work beside the request path, again and again: at once while a
 * pass reports work done, otherwise after `idleMs`. A failed pass is reported and retried later.
 */
export class BackgroundLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<number>,
    private readonly idleMs: number,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then(
        (done) => this.schedule(done > 0 ? 0 : this.idleMs),
        (error: unknown) => {
          process.emitWarning(`${this.name} pass failed: ${(error as Error).message}`);
          this.schedule(this.idleMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}

/**
 * Statistics counted in memory on the request path and written by a background pass every `flushMs`
 * (`flush`, then `upkeep` at most every `upkeepEveryMs`); stopping writes what is left.
 */
export abstract class BufferedWriter {
  private readonly loop: BackgroundLoop;
  private upkeptAt = 0;

  protected constructor(
    name: string,
    flushMs: number,
    protected readonly clock: Clock,
    private readonly upkeepEveryMs = Number.POSITIVE_INFINITY,
  ) {
    this.loop = new BackgroundLoop(name, () => this.pass(), flushMs);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.flush();
  }

  /** Writes what is pending; returns how much it wrote (0: nothing, the loop waits `flushMs`). */
  abstract flush(): Promise<number>;

  /** Periodic work after a flush (pruning old rows). */
  protected async upkeep(_now: Date): Promise<void> {}

  private async pass(): Promise<number> {
    const written = await this.flush();
    const now = this.clock.now();
    if (now.getTime() - this.upkeptAt >= this.upkeepEveryMs) {
      this.upkeptAt = now.getTime();
      await this.upkeep(now);
    }
    return written;
  }
}
