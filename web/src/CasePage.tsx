import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type CaseDetail, type Whoami, api } from './api.ts';
import { CaseImages } from './CaseImages.tsx';
import { Highlighted } from './Highlighted.tsx';
import { navigate } from './nav.ts';
import { nextCaseId } from './QueuePage.tsx';
import { StandingPanel } from './StandingPanel.tsx';
import { useShortcuts } from './useShortcuts.ts';

function outcomesFor(detail: CaseDetail): string[] {
  if (detail.kind === 'appeal') return ['uphold', 'overturn'];
  if (detail.status === 'open') return ['violation', 'no_violation', 'escalate'];
  return ['violation', 'no_violation'];
}

export function CasePage({ caseId, me }: { caseId: string; me: Whoami }) {
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'status'; text: string } | null>(null);
  const decisionRef = useRef<HTMLFieldSetElement>(null);

  const load = useCallback(async () => {
    try {
      setDetail(await api<CaseDetail>(`/v1/review/cases/${encodeURIComponent(caseId)}`));
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  }, [caseId]);

  useEffect(() => {
    void load();
  }, [load]);

  const holding = Boolean(detail?.lease && detail.lease.holder === me.actor);

  const claim = useCallback(async () => {
    try {
      await api(`/v1/review/cases/${encodeURIComponent(caseId)}/claim`, { method: 'POST' });
      setMessage({ kind: 'status', text: 'You hold this case.' });
      await load();
      decisionRef.current?.querySelector('input')?.focus();
    } catch (err) {
      setMessage({ kind: 'error', text: (err as Error).message });
    }
  }, [caseId, load]);

  const next = useCallback(async () => {
    const id = await nextCaseId();
    if (id && id !== caseId) navigate(`/case/${id}`);
    else setMessage({ kind: 'status', text: 'No other unclaimed case is waiting.' });
  }, [caseId]);

  const shortcuts = useMemo(
    () => ({
      c: () => void claim(),
      r: () => setRevealed((r) => !r),
      d: () => decisionRef.current?.querySelector('input')?.focus(),
      n: () => void next(),
    }),
    [claim, next],
  );
  useShortcuts(shortcuts);

  if (!detail) {
    return message ? (
      <p role="alert" className="error">
        {message.text}
      </p>
    ) : (
      <p role="status">Loading case…</p>
    );
  }

  const spans = detail.classifier?.violations.flatMap((v) => v.evidence ?? []) ?? [];
  const text = detail.target.content?.text ?? null;
  const hidden = detail.sensitive && !revealed;

  return (
    <article aria-labelledby="case-heading" className="case">
      <h1 id="case-heading">
        {detail.kind === 'appeal' ? 'Appeal case' : 'Case'} {detail.id}
      </h1>
      <p className="meta">
        <span>Status: {detail.status}</span> <span>Severity: {detail.severity}</span> <span>Priority: {detail.priority.toFixed(1)}</span>{' '}
        <span>Reports: {detail.report_count}</span> <span>SLA due: {new Date(detail.sla_due_at).toLocaleString()}</span>
        {detail.child_safety && <strong> Child safety</strong>}
      </p>
      <p className="hint">
        Shortcuts: <kbd>c</kbd> claim, <kbd>r</kbd> reveal or hide content, <kbd>d</kbd> decide, <kbd>n</kbd> next case.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void claim()} disabled={detail.status === 'closed'} aria-keyshortcuts="c">
          {holding ? 'Extend lease' : 'Claim case'}
        </button>
        <button type="button" onClick={() => void next()} aria-keyshortcuts="n">
          Next case
        </button>
        <span className="lease" aria-live="polite">
          {detail.lease ? `Held by ${detail.lease.holder === me.actor ? 'you' : detail.lease.holder} until ${new Date(detail.lease.expires_at).toLocaleTimeString()}` : 'Not held by anyone'}
        </span>
      </div>
      {message && (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind}>
          {message.text}
        </p>
      )}

      {detail.appeal && (
        <section aria-labelledby="appeal-heading">
          <h2 id="appeal-heading">Appeal</h2>
          <p className="content-text">{detail.appeal.statement}</p>
        </section>
      )}

      <section aria-labelledby="content-heading">
        <h2 id="content-heading">Content</h2>
        <p>
          Target: {detail.target.type}
          {detail.target.account && ` · account ${detail.target.account}`}
          {detail.target.app && ` · app ${detail.target.app}`}
          {detail.target.content?.ref && ` · ref ${detail.target.content.ref}`}
        </p>
        {detail.sensitive && (
          <button type="button" onClick={() => setRevealed(!revealed)} aria-pressed={revealed} aria-controls="case-content" aria-keyshortcuts="r">
            {revealed ? 'Hide content' : 'Reveal content'}
          </button>
        )}
        <div id="case-content" className={hidden ? 'blurred' : 'revealed'} aria-hidden={hidden} data-testid="case-content">
          {text !== null ? <Highlighted text={text} spans={spans} /> : <p>Only the content's digest is known: {detail.target.content?.digest ?? 'none'}</p>}
        </div>
        {hidden && <p className="hint">This content may be sexual or violent. It is blurred until you reveal it.</p>}
      </section>

      {detail.classifier?.images && detail.classifier.images.length > 0 && (
        <CaseImages images={detail.classifier.images} evidence={detail.classifier.violations.flatMap((v) => v.evidence ?? [])} revealed={!hidden} />
      )}

      {detail.classifier && (
        <section aria-labelledby="scores-heading">
          <h2 id="scores-heading">Classifier scores</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Score</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(detail.classifier.category_scores)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 8)
                .map(([category, score]) => (
                  <tr key={category}>
                    <td>{category}</td>
                    <td>
                      <meter min={0} max={1} value={score} aria-label={`${category} score`} /> {score.toFixed(2)}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
      )}

      {detail.classifier?.judge && (
        <section aria-labelledby="judge-heading" data-testid="judge-rationale">
          <h2 id="judge-heading">LLM judge ({detail.classifier.judge.name}){detail.classifier.judge.unsure ? ': unsure' : ''}</h2>
          <p>
            Found violated: {detail.classifier.judge.clause_ids.length ? detail.classifier.judge.clause_ids.join(', ') : 'none'} (asked about{' '}
            {detail.classifier.judge.categories.join(', ')})
          </p>
          {detail.classifier.judge.rationale && <blockquote>{detail.classifier.judge.rationale}</blockquote>}
        </section>
      )}

      <section aria-labelledby="clauses-heading">
        <h2 id="clauses-heading">Cited clauses (policy {detail.policy_version})</h2>
        {detail.clauses.length === 0 && <p>No clause cited yet.</p>}
        {detail.clauses.map((c) => (
          <div key={c.id} className="clause">
            <h3>
              {c.id} — {c.title} <span className="badge">{c.severity}</span>
            </h3>
            <p>{c.text}</p>
          </div>
        ))}
      </section>

      <section aria-labelledby="reports-heading">
        <h2 id="reports-heading">Reports</h2>
        <ol>
          {detail.reports.map((r) => (
            <li key={r.id}>
              <p>
                {r.source === 'moderation' ? 'Classifier' : `Reporter ${r.reporter}`} · {[r.clause_id, r.category].filter(Boolean).join(', ')} ·{' '}
                {new Date(r.created_at).toLocaleString()}
              </p>
              {r.text && <p className={hidden ? 'blurred content-text' : 'content-text'}>{r.text}</p>}
              {r.evidence.length > 0 && (
                <ul aria-label="Evidence">
                  {r.evidence.map((e, i) => (
                    <li key={i}>
                      {e.type}: <span className="content-text">{e.value}</span>
                      {e.note && ` (${e.note})`}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      </section>

      <StandingPanel standing={detail.standing} />

      {detail.decisions.length > 0 && (
        <section aria-labelledby="decisions-heading">
          <h2 id="decisions-heading">Decisions</h2>
          <ol>
            {detail.decisions.map((d) => (
              <li key={d.id}>
                {d.stage}: {d.outcome} {d.clause_ids.join(', ')} by {d.reviewer} at {new Date(d.decided_at).toLocaleString()}
                {d.notes && ` — ${d.notes}`}
              </li>
            ))}
          </ol>
        </section>
      )}

      {detail.status !== 'closed' && <DecisionForm detail={detail} holding={holding} fieldsetRef={decisionRef} onDecided={load} onMessage={setMessage} />}
    </article>
  );
}

function DecisionForm({
  detail,
  holding,
  fieldsetRef,
  onDecided,
  onMessage,
}: {
  detail: CaseDetail;
  holding: boolean;
  fieldsetRef: React.RefObject<HTMLFieldSetElement | null>;
  onDecided: () => Promise<void>;
  onMessage: (m: { kind: 'error' | 'status'; text: string }) => void;
}) {
  const outcomes = outcomesFor(detail);
  const [outcome, setOutcome] = useState(outcomes[0]!);
  const [clauses, setClauses] = useState(detail.clause_ids.join(', '));
  const [notes, setNotes] = useState('');
  const confirming = detail.status === 'awaiting_confirmation';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const clauseIds = clauses
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    const body: Record<string, unknown> = { outcome };
    if (outcome === 'violation' && !confirming) body.clause_ids = clauseIds;
    if (notes) body.notes = notes;
    try {
      const result = await api<{ case_status: string; enforcement: { result: { action: { rung: string } | null } | null } | null }>(
        `/v1/review/cases/${encodeURIComponent(detail.id)}/decision`,
        { method: 'POST', body },
      );
      const action = result.enforcement?.result?.action;
      onMessage({ kind: 'status', text: `Decision recorded; the case is ${result.case_status}.${action ? ` Action taken: ${action.rung}.` : ''}` });
      await onDecided();
    } catch (err) {
      onMessage({ kind: 'error', text: (err as Error).message });
    }
  }

  return (
    <section aria-labelledby="decision-heading">
      <h2 id="decision-heading">{confirming ? 'Confirm the first decision' : 'Decision'}</h2>
      {!holding && <p className="hint">Claim the case (press c) before deciding.</p>}
      <form onSubmit={submit}>
        <fieldset ref={fieldsetRef} disabled={!holding}>
          <legend>Outcome</legend>
          {outcomes.map((o) => (
            <label key={o} className="radio">
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} />
              {o.replace('_', ' ')}
            </label>
          ))}
          {outcome === 'violation' && !confirming && (
            <label>
              Clause IDs (comma-separated)
              <input value={clauses} onChange={(e) => setClauses(e.target.value)} required />
            </label>
          )}
          <label>
            Notes
            <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} />
          </label>
          <button type="submit">Record decision</button>
        </fieldset>
      </form>
    </section>
  );
}
