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
