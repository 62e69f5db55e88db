import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');

describeEachBackend('trends', (backend) => {
  let server: TestServer;
  let tenantId: string;
  beforeEach(async () => {
    server = await startTestServer(backend);
    tenantId = (await server.services.tenancy.listTenants())[0]!.id;
  });
  afterEach(async () => server.close());

  const record = (at: number, category: string | null, clause: string | null = null, source: 'moderation' | 'report' = 'moderation', surface = 'api') =>
    server.services.trends.record({ tenantId, at: new Date(at), category, clause, surface, source });

  it('counts per minute, hour and day across bucket edges, without double counting, and serves zero-filled series', async () => {
    record(T0 + HOUR - 1, 'harassment', 'universal.3'); // 00:59:59.999
    record(T0 + HOUR, 'harassment', 'universal.3'); // 01:00
    record(T0 + HOUR + 30_000, 'harassment', null, 'report');
    record(T0 + 24 * HOUR, 'self-harm'); // the next day
    await server.services.trends.flush();
    await server.services.trends.flush(); // nothing pending: nothing added twice
    record(T0 + HOUR + 59_000, 'harassment'); // same minute as before: added to the stored row
    const get = async (query: string) => {
      const response = await server.request(`/v1/trends?${query}`);
      expect(response.status).toBe(200);
      return response.json();
    };
    const hourly = await get(`granularity=hour&from=${new Date(T0).toISOString()}&to=${new Date(T0 + 3 * HOUR).toISOString()}`);
    expect(hourly.series).toEqual([
      {
        key: 'harassment',
        total: 4,
        points: [
          { bucket: '2026-03-02T00:00:00.000Z', count: 1 },
          { bucket: '2026-03-02T01:00:00.000Z', count: 3 },
          { bucket: '2026-03-02T02:00:00.000Z', count: 0 },
        ],
      },
    ]);
    const minutes = await get(`granularity=minute&from=${new Date(T0 + HOUR - 60_000).toISOString()}&to=${new Date(T0 + HOUR + 60_000).toISOString()}&group_by=none`);
    expect(minutes.series[0].points.map((p: { count: number }) => p.count)).toEqual([1, 3]);
    const daily = await get(`granularity=day&from=${new Date(T0).toISOString()}&to=${new Date(T0 + 48 * HOUR).toISOString()}&group_by=source`);
    expect(daily.series).toEqual([
      { key: 'moderation', total: 4, points: [{ bucket: '2026-03-02T00:00:00.000Z', count: 3 }, { bucket: '2026-03-03T00:00:00.000Z', count: 1 }] },
      { key: 'report', total: 1, points: [{ bucket: '2026-03-02T00:00:00.000Z', count: 1 }, { bucket: '2026-03-03T00:00:00.000Z', count: 0 }] },
    ]);
    const byClause = await get(`granularity=day&from=${new Date(T0).toISOString()}&to=${new Date(T0 + 24 * HOUR).toISOString()}&group_by=clause&category=harassment`);
    expect(byClause.series.map((s: { key: string; total: number }) => [s.key, s.total])).toEqual([['', 2], ['universal.3', 2]]);

    expect((await expectApiError(await server.request(`/v1/trends?granularity=minute&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`), 400)).param).toBe('granularity');
    const other = await server.createKey('admin', 'other');
    expect((await (await server.request(`/v1/trends?granularity=day&from=${new Date(T0).toISOString()}&to=${new Date(T0 + 24 * HOUR).toISOString()}`, { key: other })).json()).series).toEqual([]);
    await expectApiError(await server.request(`/v1/trends?from=${new Date(T0).toISOString()}&to=${new Date(T0 + HOUR).toISOString()}`, { key: await server.createKey('client') }), 403);
  });

  it('detects a spike injected into a seasonal series and announces it once', async () => {
    // Two weeks of a daily cycle: 10 flags an hour by day, 2 by night; then hour 10:00 on day 15 has 40.
    const days = 15;
    const spikeHour = T0 + (days - 1) * 24 * HOUR + 10 * HOUR;
    for (let h = 0; h < days * 24; h++) {
      const at = T0 + h * HOUR;
      const hourOfDay = h % 24;
      let n = hourOfDay >= 8 && hourOfDay < 20 ? 10 + (h % 3) : 2;
      if (at === spikeHour || at === spikeHour + HOUR) n = 40;
      for (let i = 0; i < n; i++) record(at + i * 1000, 'self-harm', 'universal.2');
    }
    await server.services.trends.flush();
    const spikes = server.services.spikes;
    // Ordinary hours, including the busy hour before the spike, raise nothing.
    expect(await spikes.checkHour(new Date(spikeHour - HOUR))).toBe(0);
    expect(await spikes.checkHour(new Date(spikeHour))).toBe(2); // category:self-harm and clause:universal.2
    expect(await spikes.checkHour(new Date(spikeHour))).toBe(0); // re-checking announces nothing again
    expect(await spikes.checkHour(new Date(spikeHour + HOUR))).toBe(0); // the episode goes on, silently
    const outbox = await server.store.db.selectFrom('outbox').select(['type', 'payload']).where('type', '=', 'trend.spike').execute();
    expect(outbox.map((row) => JSON.parse(row.payload).series).sort()).toEqual(['category:self-harm', 'clause:universal.2']);
    expect(JSON.parse(outbox[0]!.payload)).toMatchObject({ hour: new Date(spikeHour).toISOString(), observed: 40, baseline: 11 });
    const listed = await (await server.request(`/v1/trends/spikes?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 30 * 24 * HOUR).toISOString()}`)).json();
    expect(listed.data.map((s: { series: string; last_bucket: string }) => [s.series, s.last_bucket])).toEqual([
      ['category:self-harm', new Date(spikeHour + HOUR).toISOString()],
      ['clause:universal.2', new Date(spikeHour + HOUR).toISOString()],
    ]);
  });

  it('raises nothing for a tenant without a week of history', async () => {
    for (let h = 0; h < 30; h++) for (let i = 0; i < (h === 29 ? 50 : 3); i++) record(T0 + h * HOUR + i, 'hate');
    await server.services.trends.flush();
    expect(await server.services.spikes.checkHour(new Date(T0 + 29 * HOUR))).toBe(0);
  });
});
