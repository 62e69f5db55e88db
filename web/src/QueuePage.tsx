import { useCallback, useEffect, useMemo, useState } from 'react';
import { type Queue, api } from './api.ts';
import { navigate } from './nav.ts';
import { useShortcuts } from './useShortcuts.ts';

const STATUSES = ['unresolved', 'open', 'awaiting_confirmation', 'escalated', 'closed'];
const KINDS = ['', 'report', 'automatic', 'store', 'appeal'];

/** The next case to work on: the most urgent one nobody holds. */
export async function nextCaseId(): Promise<string | null> {
  const queue = await api<Queue>('/v1/review/queue?status=unresolved&limit=50');
  return queue.data.find((c) => !c.lease)?.id ?? null;
}

export function QueuePage() {
  const [filters, setFilters] = useState({ status: 'unresolved', clause: '', category: '', kind: '', min_age_minutes: '' });
  const [queue, setQueue] = useState<Queue | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== ''));
    try {
      setQueue(await api<Queue>(`/v1/review/queue?${params}`));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [filters]);

  useEffect(() => {
    void load();
  }, [load]);

  const shortcuts = useMemo(
    () => ({
      n: () => void nextCaseId().then((id) => id && navigate(`/case/${id}`)),
    }),
    [],
  );
  useShortcuts(shortcuts);

  const set = (field: keyof typeof filters) => (e: { target: { value: string } }) => setFilters({ ...filters, [field]: e.target.value });

  return (
    <section aria-labelledby="queue-heading">
      <h1 id="queue-heading">Review queue</h1>
      <p className="hint">
        Press <kbd>n</kbd> to open the next unclaimed case.
      </p>
      {queue && (
        <ul className="counts" aria-label="Cases by status">
          <li>Open: {queue.counts.open}</li>
          <li>Awaiting confirmation: {queue.counts.awaiting_confirmation}</li>
          <li>Escalated: {queue.counts.escalated}</li>
          <li>Closed: {queue.counts.closed}</li>
        </ul>
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Queue filters">
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select value={filters.kind} onChange={set('kind')}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Clause
          <input value={filters.clause} onChange={set('clause')} placeholder="universal.3" />
        </label>
        <label>
          Category
          <input value={filters.category} onChange={set('category')} placeholder="harassment" />
        </label>
        <label>
          Older than (minutes)
          <input value={filters.min_age_minutes} onChange={set('min_age_minutes')} inputMode="numeric" />
        </label>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {queue && queue.data.length === 0 && <p>No cases match.</p>}
      {queue && queue.data.length > 0 && (
        <table className="queue">
          <caption className="visually-hidden">Cases, most urgent first</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Priority</th>
              <th scope="col">Severity</th>
              <th scope="col">Clauses / categories</th>
              <th scope="col">Reports</th>
              <th scope="col">Status</th>
              <th scope="col">SLA due</th>
              <th scope="col">Lease</th>
            </tr>
          </thead>
          <tbody>
            {queue.data.map((c) => (
              <tr key={c.id} className={c.overdue ? 'overdue' : undefined}>
                <td>
                  <a href={`#/case/${encodeURIComponent(c.id)}`}>{c.kind === 'appeal' ? `Appeal ${c.id}` : c.id}</a>
                </td>
                <td>{c.priority.toFixed(1)}</td>
                <td>{c.severity}</td>
                <td>{[...c.clause_ids, ...c.categories].join(', ')}</td>
                <td>{c.report_count}</td>
                <td>{c.status}</td>
                <td>
                  {new Date(c.sla_due_at).toLocaleString()}
                  {c.overdue && ' (overdue)'}
                </td>
                <td>{c.lease ? `held by ${c.lease.holder}` : 'free'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
