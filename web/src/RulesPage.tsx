import { type FormEvent, useCallback, useEffect, useState } from 'react';
import {
  type BacktestReport,
  type RuleHitCounts,
  type RuleVersion,
  createRuleVersion,
  fetchRuleHits,
  fetchRuleVersions,
  publishRuleVersion,
  runBacktest,
  shadowRuleVersion,
} from './trends-api.ts';

const DAY = 86_400_000;

/** Rule versions with their live and shadow matches; store, backtest, shadow and publish a version. */
export function RulesPage() {
  const [versions, setVersions] = useState<RuleVersion[] | null>(null);
  const [hits, setHits] = useState<RuleHitCounts[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [report, setReport] = useState<BacktestReport | null>(null);
  const [days, setDays] = useState(7);

  const reload = useCallback(async () => {
    const now = Date.now();
    const [v, h] = await Promise.all([fetchRuleVersions(), fetchRuleHits(new Date(now - 30 * DAY).toISOString(), new Date(now + 60_000).toISOString())]);
    setVersions(v);
    setHits(h);
  }, []);

  useEffect(() => {
    reload().catch((err: Error) => setError(err.message));
  }, [reload]);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setStatus(null);
    try {
      await what();
      setStatus(done);
      await reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const backtest = (version: string) =>
    act(async () => {
      const to = new Date(Date.now() + 60_000);
      setReport(await runBacktest(version, new Date(to.getTime() - days * DAY).toISOString(), to.toISOString()));
    }, `Backtested ${version} over the last ${days} days.`);

  return (
    <section aria-labelledby="rules-heading" className="rules">
      <h1 id="rules-heading">Rules</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {status && (
        <p role="status" className="status">
          {status}
        </p>
      )}
      <label>
        Backtest over
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={1}>the last day</option>
          <option value={7}>the last 7 days</option>
          <option value={30}>the last 30 days</option>
          <option value={90}>the last 90 days</option>
        </select>
      </label>
      {versions && versions.length === 0 && <p>No rule versions yet.</p>}
      {versions && versions.length > 0 && (
        <table aria-label="Rule versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Summary</th>
              <th>Rules</th>
              <th>State</th>
              <th>Created</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>{v.version}</td>
                <td>{v.summary}</td>
                <td>{v.rules}</td>
                <td>{v.live ? <span className="badge live">live</span> : v.shadow ? <span className="badge shadow">shadow</span> : <span className="badge">stored</span>}</td>
                <td>
                  {new Date(v.created_at).toLocaleString()} by {v.created_by}
                </td>
                <td className="actions">
                  <button type="button" onClick={() => backtest(v.version)} aria-label={`Backtest ${v.version}`}>
                    Backtest
                  </button>
                  {!v.live && !v.shadow && (
                    <button type="button" onClick={() => act(() => shadowRuleVersion(v.version), `${v.version} runs in shadow.`)} aria-label={`Shadow ${v.version}`}>
                      Shadow
                    </button>
                  )}
                  {v.shadow && (
                    <button type="button" onClick={() => act(() => shadowRuleVersion(null), `${v.version} no longer runs in shadow.`)} aria-label={`Stop shadowing ${v.version}`}>
                      Stop shadow
                    </button>
                  )}
                  {!v.live && (
                    <button type="button" onClick={() => act(() => publishRuleVersion(v.version), `${v.version} is live.`)} aria-label={`Publish ${v.version}`}>
                      Publish
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report && <BacktestView report={report} />}
      <HitsTable hits={hits} />
      <NewVersion onCreated={(version) => act(async () => undefined, `Stored ${version}; nothing runs it until it is shadowed or published.`)} onError={setError} />
    </section>
  );
}

function HitsTable({ hits }: { hits: RuleHitCounts[] }) {
  return (
    <>
      <h2>Matches in the last 30 days</h2>
      {hits.length === 0 ? (
        <p>No rule has matched yet.</p>
      ) : (
        <table aria-label="Rule matches">
          <thead>
            <tr>
              <th>Version</th>
              <th>Rule</th>
              <th>Mode</th>
              <th>Matches</th>
              <th>Accounts</th>
              <th>Actions (taken live, only recorded in shadow)</th>
            </tr>
          </thead>
          <tbody>
            {hits.map((h) => (
              <tr key={`${h.version}/${h.rule}/${h.mode}`} className={h.mode}>
                <td>{h.version}</td>
                <td>{h.rule}</td>
                <td>{h.mode}</td>
                <td>{h.matches}</td>
                <td>{h.accounts}</td>
                <td>{actionList(h.actions)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const actionList = (actions: Record<string, number>) =>
  Object.entries(actions)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || '—';

/** The candidate against the live version over the same history: what publishing would change. */
function BacktestView({ report }: { report: BacktestReport }) {
  const kinds = [...new Set([...Object.keys(report.candidate.actions), ...Object.keys(report.live?.actions ?? {}), ...Object.keys(report.candidate.shadow_actions)])].sort();
  return (
    <section aria-labelledby="backtest-heading" className="backtest">
      <h2 id="backtest-heading">Backtest of {report.candidate.version}</h2>
      <p>
        {Object.entries(report.items)
          .map(([source, n]) => `${n} ${source}`)
          .join(', ')}{' '}
        items from {new Date(report.from).toLocaleString()} to {new Date(report.to).toLocaleString()}
        {report.truncated && ' (cut at the item limit)'}. Publishing would change <strong>{report.changed_items}</strong> items for{' '}
        <strong>{report.candidate.accounts_affected}</strong> accounts.
      </p>
      <table className="diff" aria-label="Backtest diff">
        <thead>
          <tr>
            <th>Action</th>
            <th>Live {report.live ? `(${report.live.version})` : '(none)'}</th>
            <th>Candidate</th>
            <th>Change</th>
            <th>Shadow only</th>
          </tr>
        </thead>
        <tbody>
          {kinds.map((kind) => {
            const delta = report.action_delta[kind] ?? 0;
            return (
              <tr key={kind} className={delta ? 'changed' : undefined}>
                <td>{kind}</td>
                <td>{report.live?.actions[kind] ?? 0}</td>
                <td>{report.candidate.actions[kind] ?? 0}</td>
                <td>{delta > 0 ? `+${delta}` : delta}</td>
                <td>{report.candidate.shadow_actions[kind] ?? 0}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Rules</h3>
      <ul>
        {report.candidate.rules.map((r) => (
          <li key={r.id}>
            {r.id} ({r.mode}): {r.matches} matches, {r.accounts} accounts
          </li>
        ))}
      </ul>
      {report.examples.length > 0 && (
        <table aria-label="Backtest examples">
          <thead>
            <tr>
              <th>Item</th>
              <th>At</th>
              <th>Account</th>
              <th>Rules</th>
              <th>Actions now</th>
              <th>Actions with the candidate</th>
            </tr>
          </thead>
          <tbody>
            {report.examples.map((e) => (
              <tr key={e.ref}>
                <td>{e.ref}</td>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.account ?? '—'}</td>
                <td>{e.rules.join(', ')}</td>
                <td>{e.live_actions.join(', ') || '—'}</td>
                <td>{e.actions.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A new version from its JSON document (the API also takes YAML). */
function NewVersion({ onCreated, onError }: { onCreated: (version: string) => void; onError: (message: string) => void }) {
  const [text, setText] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (err) {
      onError(`The document is not valid JSON: ${(err as Error).message}`);
      return;
    }
    try {
      const stored = await createRuleVersion(document);
      setText('');
      onCreated(stored.version);
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <form onSubmit={submit} className="new-version">
      <h2>New version</h2>
      <label>
        Rule document (JSON)
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={10} cols={90} spellCheck={false} />
      </label>
      <button type="submit" disabled={!text.trim()}>
        Store version
      </button>
    </form>
  );
}
