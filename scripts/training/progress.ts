/** A one-line progress bar with an ETA on stderr; the clock is read only for display. */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(private readonly label: string, private readonly total: number, private readonly quiet = false) {}

  update(done: number): void {
    if (this.quiet) return;
    const now = performance.now();
    if (done < this.total && now - this.lastDraw < 250) return;
    this.lastDraw = now;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
    const width = 30;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
    process.stderr.write(`\r${this.label.padEnd(22)} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}   `);
    if (done >= this.total) process.stderr.write('\n');
  }
}

export function formatSeconds(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}
