import { useEffect, useMemo, useState } from 'react';
import { TrendChart, seriesLabel } from './TrendChart.tsx';
import { GRANULARITY_MS, type Granularity, type GroupBy, type Spike, type TrendItems, type Trends, fetchSpikes, fetchTrendItems, fetchTrends } from './trends-api.ts';

const RANGES: Record<string, { label: string; granularity: Granularity; hours: number }> = {
  hour: { label: 'last hour, per minute', granularity: 'minute', hours: 1 },
  day: { label: 'last 24 hours, per hour', granularity: 'hour', hours: 24 },
  week: { label: 'last 7 days, per hour', granularity: 'hour', hours: 24 * 7 },
  month: { label: 'last 30 days, per day', granularity: 'day', hours: 24 * 30 },
};

/** The drill-down's filter for one series of the current grouping. */
function filterFor(groupBy: GroupBy, key: string | null): { category?: string; clause?: string; source?: string } {
  if (key === null || key === '') return {};
  if (groupBy === 'category') return { category: key };
  if (groupBy === 'clause') return { clause: key };
  if (groupBy === 'source') return { source: key };
  return {};
}

/** Verdict counts over time per category, clause, surface or decision source, with spikes marked and the items behind a bucket. */
export function TrendsPage() {
  const [range, setRange] = useState('day');
  const [groupBy, setGroupBy] = useState<GroupBy>('category');
  const [trends, setTrends] = useState<Trends | null>(null);
  const [spikes, setSpikes] = useState<Spike[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [focus, setFocus] = useState<string>('*');
  const [picked, setPicked] = useState<{ from: string; to: string } | null>(null);
  const [items, setItems] = useState<TrendItems | null>(null);
  const { granularity, hours } = RANGES[range]!;

  useEffect(() => {
    const size = GRANULARITY_MS[granularity];
    const to = new Date(Math.ceil(Date.now() / size) * size).toISOString();
    const from = new Date(Date.parse(to) - hours * 3_600_000).toISOString();
    setError(null);
    Promise.all([fetchTrends({ granularity, from, to, group_by: groupBy }), fetchSpikes(from, to)])
      .then(([t, s]) => {
        setTrends(t);
        setSpikes(s);
      })
      .catch((err: Error) => setError(err.message));
  }, [granularity, hours, groupBy]);

  const shown = useMemo(() => (trends ? trends.series.filter((s) => focus === '*' || s.key === focus).slice(0, 10) : []), [trends, focus]);
  // Spikes are watched per category and per clause: mark those of the series on the chart.
  const marked = useMemo(() => spikes.filter((s) => shown.some((series) => s.series === `${groupBy}:${series.key}`)), [spikes, shown, groupBy]);

  useEffect(() => {
    if (!picked) return;
    const key = focus === '*' ? null : focus;
    fetchTrendItems({ ...picked, ...filterFor(groupBy, key) })
      .then(setItems)
      .catch((err: Error) => setError(err.message));
  }, [picked, focus, groupBy]);

  const pickBucket = (bucket: string) => setPicked({ from: bucket, to: new Date(Date.parse(bucket) + GRANULARITY_MS[granularity]).toISOString() });

  return (
    <section aria-labelledby="trends-heading" className="trends">
      <h1 id="trends-heading">Abuse trends</h1>
      <div className="filters">
        <label>
          Range
          <select value={range} onChange={(e) => setRange(e.target.value)}>
            {Object.entries(RANGES).map(([value, r]) => (
              <option key={value} value={value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select
            value={groupBy}
            onChange={(e) => {
              setGroupBy(e.target.value as GroupBy);
              setFocus('*');
            }}
          >
            <option value="category">category</option>
            <option value="clause">clause</option>
            <option value="surface">surface</option>
            <option value="source">decision source</option>
          </select>
        </label>
        <label>
          Series
          <select value={focus} onChange={(e) => setFocus(e.target.value)}>
            <option value="*">all (top 10)</option>
            {trends?.series.map((s) => (
              <option key={String(s.key)} value={String(s.key)}>
                {seriesLabel(s.key)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {trends && shown.length === 0 && <p>Nothing was counted in this range.</p>}
      {shown.length > 0 && <TrendChart series={shown} spikes={marked} bucketMs={GRANULARITY_MS[granularity]} onPick={pickBucket} />}
      <p className="hint">Click the chart to list the items behind a bucket.</p>
      {spikes.length > 0 && (
        <>
          <h2>Spikes</h2>
          <table aria-label="Spikes">
            <thead>
              <tr>
                <th>Series</th>
                <th>From</th>
                <th>Last hour</th>
                <th>Observed</th>
                <th>Baseline</th>
                <th>Score</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {spikes.map((s) => (
                <tr key={s.id}>
                  <td>{s.series}</td>
                  <td>{new Date(s.started_at).toLocaleString()}</td>
                  <td>{new Date(s.last_bucket).toLocaleString()}</td>
                  <td>{s.observed}</td>
                  <td>{s.baseline}</td>
                  <td>{s.score}</td>
                  <td>
                    <button type="button" onClick={() => setPicked({ from: s.started_at, to: new Date(Date.parse(s.last_bucket) + 3_600_000).toISOString() })}>
                      Show items
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {trends && (
        <table aria-label="Series totals">
          <thead>
            <tr>
              <th>{groupBy}</th>
              <th>Total</th>
            </tr>
          </thead>
          <tbody>
            {trends.series.map((s) => (
              <tr key={String(s.key)}>
                <td>{seriesLabel(s.key)}</td>
                <td>{s.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {picked && items && <ItemsPanel range={picked} items={items} />}
    </section>
  );
}

function ItemsPanel({ range, items }: { range: { from: string; to: string }; items: TrendItems }) {
  const empty = items.events.length + items.cases.length + items.rule_hits.length === 0;
  return (
    <section aria-labelledby="items-heading" className="items">
      <h2 id="items-heading">
        Items from {new Date(range.from).toLocaleString()} to {new Date(range.to).toLocaleString()}
      </h2>
      {empty && <p>No stored items: results that named no account and opened no case are counted but not kept.</p>}
      {items.events.length > 0 && (
        <table aria-label="Enforcement events">
          <thead>
            <tr>
              <th>Event</th>
              <th>Account</th>
              <th>Violations</th>
              <th>At</th>
            </tr>
          </thead>
          <tbody>
            {items.events.map((e) => (
              <tr key={e.id}>
                <td>{e.id}</td>
                <td>{e.account}</td>
                <td>{e.violations.map((v) => `${v.clause_id}${v.category ? ` (${v.category})` : ''}`).join(', ')}</td>
                <td>{new Date(e.occurred_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.cases.length > 0 && (
        <table aria-label="Review cases">
          <thead>
            <tr>
              <th>Case</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Alleged</th>
            </tr>
          </thead>
          <tbody>
            {items.cases.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`#/case/${encodeURIComponent(c.id)}`}>{c.id}</a>
                </td>
                <td>{c.status}</td>
                <td>{c.priority}</td>
                <td>{[...c.clause_ids, ...c.categories].join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items.rule_hits.length > 0 && (
        <table aria-label="Rule matches">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Mode</th>
              <th>Result</th>
              <th>Account</th>
            </tr>
          </thead>
          <tbody>
            {items.rule_hits.map((h, i) => (
              <tr key={`${h.subject_ref}-${h.rule}-${i}`}>
                <td>
                  {h.rule} <span className="badge">{h.version}</span>
                </td>
                <td>{h.mode}</td>
                <td>{h.subject_ref}</td>
                <td>{h.account ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
