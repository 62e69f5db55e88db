import { BackgroundLoop, type Clock, newId } from '../common/index.ts';
import type { Store, TrendSpikeRow, Tx } from '../db/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import { GRANULARITY_MS, bucketStart } from './counts.ts';
import { type SpikeOptions, DEFAULT_SPIKE_OPTIONS, scoreHour } from './detector.ts';

const HOUR = GRANULARITY_MS.hour;
/** A closed hour is checked this long after it ends, once every process has flushed its counts. */
export const CHECK_GRACE_MS = 60_000;
/** The dimensions whose series are watched, one series per value (`category:self-harm`, `clause:api.1.1`). */
const WATCHED = { category: 'category', clause: 'clause_id' } as const;

/** A spike episode as the API shows it. */
export type SpikeView = Omit<TrendSpikeRow, 'tenant_id' | 'created_at'>;

/**
 * Checks each closed hour of every tenant's category and clause series against its seasonal
 * baseline (see detector.ts). A spike is an episode: its first alarming hour inserts a
 * `trend_spikes` row and a `trend.spike` outbox event in one transaction; later alarming hours
 * in a row extend it silently. The row is unique per (tenant, series, start), so a second process
 * or a re-check after a restart can never announce it twice.
 */
export class SpikeMonitor {
  private readonly loop: BackgroundLoop;
  private checked: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: SpikeOptions = DEFAULT_SPIKE_OPTIONS,
  ) {
    this.loop = new BackgroundLoop('spike monitor', () => this.pass(), 60_000);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Checks the last closed hour if it has not been; returns the new spikes announced. */
  async pass(): Promise<number> {
    const hour = Date.parse(bucketStart(this.clock.now().getTime() - HOUR - CHECK_GRACE_MS, 'hour'));
    if (this.checked !== null && hour <= this.checked) return 0;
    const announced = await this.checkHour(new Date(hour));
    this.checked = hour;
    return announced;
  }

  /** Scores one hour of every watched series that has counts in it; returns the spikes announced. */
  async checkHour(hour: Date): Promise<number> {
    const start = hour.getTime();
    const since = new Date(start - this.options.baselineDays * 24 * HOUR).toISOString();
    let announced = 0;
    for (const [dimension, column] of Object.entries(WATCHED)) {
      const rows = await this.store.db
        .selectFrom('trend_counts')
        .select((eb) => ['tenant_id', 'bucket_start', `${column} as value`, eb.fn.sum<number | string>('count').as('count')])
        .where('granularity', '=', 'hour')
        .where('bucket_start', '>=', since)
        .where('bucket_start', '<=', hour.toISOString())
        .where(column, '!=', '')
        .groupBy(['tenant_id', 'bucket_start', column])
        .execute();
      for (const [key, hourly] of seriesOf(rows as { tenant_id: string; bucket_start: string; value: string; count: number | string }[], start, this.options.baselineDays)) {
        const score = scoreHour(hourly, hourly.length - 1, this.options);
        if (!score?.spike) continue;
        const [tenantId, value] = key.split('\u0000') as [string, string];
        if (await this.record(tenantId, `${dimension}:${value}`, hour, score)) announced++;
      }
    }
    return announced;
  }

  async list(tenantId: string, from: Date, to: Date): Promise<SpikeView[]> {
    const rows = await this.store.db
      .selectFrom('trend_spikes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('last_bucket', '>=', from.toISOString())
      .where('started_at', '<', to.toISOString())
      .orderBy('started_at')
      .execute();
    return rows.map(view);
  }

  /** Starts or extends the series' episode; true when it started one (and announced it). */
  private async record(tenantId: string, series: string, hour: Date, score: { observed: number; baseline: number; z: number }): Promise<boolean> {
    const bucket = hour.toISOString();
    const previous = new Date(hour.getTime() - HOUR).toISOString();
    return this.store.db.transaction().execute(async (tx) => {
      const ongoing = await tx.selectFrom('trend_spikes').selectAll().where('tenant_id', '=', tenantId).where('series', '=', series).where('last_bucket', '>=', previous).executeTakeFirst();
      if (ongoing) {
        if (ongoing.last_bucket < bucket) await tx.updateTable('trend_spikes').set({ last_bucket: bucket, observed: Math.max(ongoing.observed, score.observed) }).where('id', '=', ongoing.id).execute();
        return false;
      }
      const row = { id: newId('spk'), tenant_id: tenantId, series, started_at: bucket, last_bucket: bucket, observed: score.observed, baseline: score.baseline, score: Math.round(score.z * 100) / 100, created_at: this.clock.now().toISOString() };
      const inserted = await tx.insertInto('trend_spikes').values(row).onConflict((oc) => oc.columns(['tenant_id', 'series', 'started_at']).doNothing()).executeTakeFirst();
      if (!Number(inserted.numInsertedOrUpdatedRows ?? 0)) return false;
      await announce(tx, row, this.clock.now());
      return true;
    });
  }
}

async function announce(tx: Tx, row: TrendSpikeRow, at: Date): Promise<void> {
  const [dimension, ...rest] = row.series.split(':');
  await enqueueEvent(tx, {
    tenantId: row.tenant_id,
    type: 'trend.spike',
    at,
    payload: { id: row.id, series: row.series, dimension, value: rest.join(':'), hour: row.started_at, observed: row.observed, baseline: row.baseline, score: row.score },
  });
}

/**
 * Hourly arrays (oldest first, ending at `end`), zero-filled, per tenant and value, starting at the
 * tenant's first counted hour: hours before a tenant had any data are not quiet hours, so a new
 * tenant gets no alarms until a week of its own history exists (scoreHour's warm-up).
 */
function seriesOf(rows: { tenant_id: string; bucket_start: string; value: string; count: number | string }[], end: number, days: number): Map<string, number[]> {
  const length = days * 24 + 1;
  const first = end - (length - 1) * HOUR;
  const out = new Map<string, number[]>();
  const active = new Set<string>();
  const tenantFirst = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.tenant_id}\u0000${row.value}`;
    let hourly = out.get(key);
    if (!hourly) {
      hourly = new Array<number>(length).fill(0);
      out.set(key, hourly);
    }
    const index = Math.round((Date.parse(row.bucket_start) - first) / HOUR);
    if (index >= 0 && index < length) hourly[index] = Number(row.count);
    if (index === length - 1) active.add(key);
    if (index >= 0 && Number(row.count) > 0) tenantFirst.set(row.tenant_id, Math.min(tenantFirst.get(row.tenant_id) ?? index, index));
  }
  // Only a series with counts in the hour checked can spike in it.
  for (const [key, hourly] of out) {
    if (!active.has(key)) out.delete(key);
    else out.set(key, hourly.slice(tenantFirst.get(key.split('\u0000')[0]!) ?? 0));
  }
  return out;
}

function view(row: TrendSpikeRow): SpikeView {
  return { id: row.id, series: row.series, started_at: row.started_at, last_bucket: row.last_bucket, observed: row.observed, baseline: row.baseline, score: row.score };
}
