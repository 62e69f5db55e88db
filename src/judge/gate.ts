import type { Clock } from '../common/index.ts';
import { BREAKER_FAILURES, type FailureKind } from './client.ts';

/** One judge's limits in this process: calls in flight, calls per rolling minute, and the circuit breaker. */
export interface GateLimits {
  concurrency: number;
  callsPerMinute: number;
  /** How long a call may wait for a free slot before the local verdict is served. */
  waitMs: number;
  breakerFailures: number;
  cooldownMs: number;
}

export type Admission = { ok: true; release(): void } | { ok: false; kind: FailureKind; message: string };

/** What the gate tells its owner (metrics and the log). */
export interface GateEvents {
  breakerOpened(failures: number, cooldownMs: number, lastError: string): void;
  breakerClosed(): void;
}

/**
 * Admits calls to one judge. The breaker opens after `breakerFailures` consecutive failures and
 * stays open for `cooldownMs`; then one trial call is let through (half-open), which closes it on
 * success or opens it again on failure. The budget counts calls started in the last 60 s.
 */
export class JudgeGate {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly started: number[] = [];
  private consecutiveFailures = 0;
  private openUntil: number | null = null;
  private trialInFlight = false;

  constructor(
    public limits: GateLimits,
    private readonly clock: Clock,
    private readonly events: GateEvents,
  ) {}

  get breakerOpen(): boolean {
    return this.openUntil !== null;
  }

  async admit(): Promise<Admission> {
    const now = this.clock.now().getTime();
    if (this.openUntil !== null) {
      if (now < this.openUntil || this.trialInFlight) {
        return { ok: false, kind: 'breaker_open', message: `the circuit breaker is open after ${this.consecutiveFailures} consecutive failures` };
      }
      this.trialInFlight = true;
    }
    while (this.started.length > 0 && this.started[0]! <= now - 60_000) this.started.shift();
    if (this.started.length >= this.limits.callsPerMinute) {
      this.trialInFlight = false;
      return { ok: false, kind: 'budget_exhausted', message: `the budget of ${this.limits.callsPerMinute} calls per minute is spent` };
    }
    if (this.inFlight >= this.limits.concurrency) {
      // A released slot is handed to the first waiter directly, so the count stays within the limit.
      if (!(await this.waitForSlot())) {
        this.trialInFlight = false;
        return { ok: false, kind: 'overloaded', message: `all ${this.limits.concurrency} slots stayed busy for ${this.limits.waitMs} ms` };
      }
    } else this.inFlight += 1;
    this.started.push(this.clock.now().getTime());
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiters.shift();
        if (next) next();
        else this.inFlight -= 1;
      },
    };
  }

  /** Records how an admitted call ended. */
  record(failure: { kind: FailureKind; message: string } | null): void {
    const trial = this.trialInFlight;
    this.trialInFlight = false;
    if (failure === null || !BREAKER_FAILURES.has(failure.kind)) {
      if (failure === null || trial) this.consecutiveFailures = 0;
      if (this.openUntil !== null && trial) {
        this.openUntil = null;
        this.events.breakerClosed();
      }
      return;
    }
    this.consecutiveFailures += 1;
    if (trial || this.consecutiveFailures >= this.limits.breakerFailures) {
      this.openUntil = this.clock.now().getTime() + this.limits.cooldownMs;
      this.events.breakerOpened(this.consecutiveFailures, this.limits.cooldownMs, `${failure.kind}: ${failure.message}`);
    }
  }

  private waitForSlot(): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(wake);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      }, this.limits.waitMs);
      this.waiters.push(wake);
    });
  }
}
