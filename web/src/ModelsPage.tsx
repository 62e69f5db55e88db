import { useCallback, useEffect, useState } from 'react';
import { type Comparison, type CurvePoint, type Deployment, type TenantModel, type ThresholdSuggestions, modelsApi } from './models-api.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(3);

/**
 * The tenant's models: what is served and in shadow, each candidate's comparison with the served
 * model on the held-out slice (a table and a precision-recall curve per category), promotion
 * (refused past the tolerance unless overridden) and rollback.
 */
export function ModelsPage() {
  const [models, setModels] = useState<TenantModel[]>([]);
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [suggestions, setSuggestions] = useState<ThresholdSuggestions | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const [list, current, thresholds] = await Promise.all([modelsApi.list(), modelsApi.deployment(), modelsApi.suggestions()]);
    setModels(list.data);
    setDeployment(current);
    setSuggestions(thresholds);
    setSelected((id) => id ?? current.shadow ?? list.data.filter((m) => m.status === 'ready').at(-1)?.id ?? null);
  }, []);

  useEffect(() => {
    refresh().catch((e: Error) => setMessage(e.message));
  }, [refresh]);

  useEffect(() => {
    setComparison(null);
    if (selected) modelsApi.comparison(selected).then(setComparison, (e: Error) => setMessage(e.message));
  }, [selected, deployment]);

  const act = (action: () => Promise<unknown>, done: string) => async () => {
    try {
      await action();
      setMessage(done);
      await refresh();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      {message && <p role="status">{message}</p>}
      {deployment && (
        <p>
          Served: <strong>{deployment.active ?? 'base model'}</strong> · in shadow: <strong>{deployment.shadow ?? 'none'}</strong> · promotion tolerance: F1 −{deployment.tolerance}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={act(() => modelsApi.train(), 'Training started: the new model runs in shadow when it is ready.')}>
          Train a new model
        </button>
        <button type="button" disabled={!deployment?.previous.length} onClick={act(() => modelsApi.rollback(), 'Rolled back.')}>
          Roll back
        </button>
      </div>
      <table>
        <caption>Tenant models</caption>
        <thead>
          <tr>
            <th>Model</th>
            <th>Status</th>
            <th>Examples (trained / held out)</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr key={m.id} aria-selected={m.id === selected}>
              <td>{m.id}</td>
              <td>{m.status === 'training' ? `training ${pct(m.progress)}` : m.status}{m.error ? ` — ${m.error}` : ''}</td>
              <td>{m.card ? `${m.card.examples.trained_on} / ${m.card.examples.held_out}` : m.examples}</td>
              <td>{m.created_at.slice(0, 19).replace('T', ' ')}</td>
              <td>{m.status === 'ready' && <button type="button" onClick={() => setSelected(m.id)}>Compare</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {comparison && <ComparisonView comparison={comparison} onPromote={(override) => act(() => modelsApi.promote(comparison.model, override), `Promoted ${comparison.model}.`)()} />}
      {suggestions && <Suggestions suggestions={suggestions} />}
    </section>
  );
}

function ComparisonView({ comparison, onPromote }: { comparison: Comparison; onPromote: (override: boolean) => void }) {
  const blocked = comparison.worse.length > 0;
  return (
    <section aria-labelledby="comparison-title">
      <h2 id="comparison-title">
        {comparison.model} against {comparison.current ?? 'the base model'} ({comparison.held_out_examples} held-out examples)
      </h2>
      <table>
        <thead>
          <tr>
            <th>Category</th>
            <th>n (positives)</th>
            <th>Precision now → candidate</th>
            <th>Recall now → candidate</th>
            <th>F1 now → candidate</th>
            <th>False positives now → candidate</th>
          </tr>
        </thead>
        <tbody>
          {comparison.categories.map((c) => (
            <tr key={c.category} className={comparison.worse.includes(c.category) ? 'worse' : undefined}>
              <td>{c.category}</td>
              <td>
                {c.n} ({c.positives})
              </td>
              <td>{num(c.current.precision)} → {num(c.candidate.precision)}</td>
              <td>{num(c.current.recall)} → {num(c.candidate.recall)}</td>
              <td>
                {num(c.current.f1)} → {num(c.candidate.f1)} ({c.f1_change >= 0 ? '+' : ''}
                {num(c.f1_change)})
              </td>
              <td>{pct(c.current.false_positive_rate)} → {pct(c.candidate.false_positive_rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Shadow on live traffic: {comparison.shadow.compared} verdicts compared, {pct(comparison.shadow.disagreement_rate)} disagreed.
      </p>
      {comparison.shadow.examples.length > 0 && (
        <ul aria-label="Shadow disagreements">
          {comparison.shadow.examples.slice(-5).map((e, i) => (
            <li key={i}>
              “{e.excerpt}” — served {e.served.join(', ') || 'nothing'}, candidate {e.candidate.join(', ') || 'nothing'}
            </li>
          ))}
        </ul>
      )}
      {blocked ? (
        <p>
          Worse than the tolerance allows on {comparison.worse.join(', ')}.{' '}
          <button type="button" onClick={() => onPromote(true)}>
            Promote anyway (override)
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => onPromote(false)}>
          Promote {comparison.model}
        </button>
      )}
    </section>
  );
}

function Suggestions({ suggestions }: { suggestions: ThresholdSuggestions }) {
  const shown = suggestions.categories.filter((c) => c.positives > 0 && c.positives < c.n);
  if (!shown.length) return null;
  return (
    <section aria-labelledby="thresholds-title">
      <h2 id="thresholds-title">Thresholds from your examples</h2>
      <div className="curves">
        {shown.map((c) => (
          <figure key={c.category}>
            <PrCurve curve={c.curve} current={c.current} suggested={c.suggested} />
            <figcaption>
              {c.category}: now {num(c.current.threshold)} (P {num(c.current.precision)}, R {num(c.current.recall)})
              {c.suggested && ` · suggested ${num(c.suggested.threshold)} (P ${num(c.suggested.precision)}, R ${num(c.suggested.recall)})`}
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}

/** A precision-recall curve drawn as SVG: recall across, precision up; the current and suggested thresholds marked. */
function PrCurve({ curve, current, suggested }: { curve: CurvePoint[]; current: CurvePoint; suggested: CurvePoint | null }) {
  const size = 160;
  const x = (p: CurvePoint) => 20 + p.recall * (size - 30);
  const y = (p: CurvePoint) => size - 20 - p.precision * (size - 30);
  const path = [...curve].sort((a, b) => a.recall - b.recall).map((p, i) => `${i ? 'L' : 'M'}${x(p).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  return (
    <svg width={size} height={size} role="img" aria-label="precision-recall curve">
      <rect x={20} y={10} width={size - 30} height={size - 30} fill="none" stroke="#bbb" />
      <path d={path} fill="none" stroke="#2457a6" strokeWidth={2} />
      <circle cx={x(current)} cy={y(current)} r={4} fill="#888">
        <title>current threshold</title>
      </circle>
      {suggested && (
        <circle cx={x(suggested)} cy={y(suggested)} r={4} fill="#1a7f37">
          <title>suggested threshold</title>
        </circle>
      )}
      <text x={20} y={size - 4} fontSize={10}>recall →</text>
      <text x={2} y={10} fontSize={10}>P</text>
    </svg>
  );
}
