import { useEffect, useState } from 'react';
import { type Answer, type VersionSummary, api } from './api.ts';

type PolicyDoc = Answer<'/v1/policies/{version}'>;
type ClauseDoc = PolicyDoc['document']['clauses'][number];
type PolicyDiff = Answer<'/v1/policies/{a}/diff/{b}'>;

function VersionSelect(props: { label: string; versions: VersionSummary[]; value: string; onChange: (version: string) => void }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
            {v.current ? ' (current)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function ids(list: { id: string }[]): string[] {
  return list.map((x) => x.id);
}

/** Every version of the tenant's policy, and two of them side by side with what changed between them. */
export function PolicyBrowser() {
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [docs, setDocs] = useState<{ a: PolicyDoc; b: PolicyDoc; diff: PolicyDiff } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Answer<'/v1/policies'>>('/v1/policies')
      .then(({ data }) => {
        setVersions(data);
        setA(data[0]?.version ?? '');
        setB(data.at(-1)?.version ?? '');
      })
      .catch((err: Error) => setError(err.message));
  }, []);

  useEffect(() => {
    if (!a || !b) return;
    Promise.all([
      api<PolicyDoc>(`/v1/policies/${encodeURIComponent(a)}`),
      api<PolicyDoc>(`/v1/policies/${encodeURIComponent(b)}`),
      api<PolicyDiff>(`/v1/policies/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}`),
    ])
      .then(([docA, docB, diff]) => setDocs({ a: docA, b: docB, diff }))
      .catch((err: Error) => setError(err.message));
  }, [a, b]);

  const touched = docs ? new Set([...ids(docs.diff.added), ...ids(docs.diff.removed), ...docs.diff.changed.map((c) => c.id)]) : new Set<string>();
  const clauseIds = docs ? [...new Set([...docs.a.document.clauses.map((c) => c.id), ...docs.b.document.clauses.map((c) => c.id)])] : [];
  const [onlyChanges, setOnlyChanges] = useState(false);
  const shown = onlyChanges ? clauseIds.filter((id) => touched.has(id)) : clauseIds;

  return (
    <section aria-labelledby="policies-heading">
      <h1 id="policies-heading">Policy browser</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Versions to compare">
        <VersionSelect label="Left version" versions={versions} value={a} onChange={setA} />
        <VersionSelect label="Right version" versions={versions} value={b} onChange={setB} />
        <label className="radio">
          <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} />
          Only changed clauses
        </label>
      </form>
      {docs && (
        <>
          <p>
            {ids(docs.diff.added).length} added, {ids(docs.diff.removed).length} removed, {docs.diff.changed.length} changed, {docs.diff.unchanged} unchanged.
          </p>
          <table className="diff">
            <thead>
              <tr>
                <th scope="col">{docs.a.version}</th>
                <th scope="col">{docs.b.version}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((id) => {
                const left = docs.a.document.clauses.find((c) => c.id === id);
                const right = docs.b.document.clauses.find((c) => c.id === id);
                return (
                  <tr key={id} className={touched.has(id) ? 'changed' : undefined}>
                    <td>{left ? <ClauseCell clause={left} /> : <em>absent</em>}</td>
                    <td>{right ? <ClauseCell clause={right} /> : <em>absent</em>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ClauseCell({ clause }: { clause: ClauseDoc }) {
  return (
    <>
      <strong>
        {clause.id} — {clause.title}
      </strong>{' '}
      <span className="badge">{clause.severity}</span>
      <p>{clause.text}</p>
      <p className="hint">{clause.categories.join(', ')}</p>
    </>
  );
}
