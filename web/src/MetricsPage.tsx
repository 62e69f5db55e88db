import { useEffect, useState } from 'react';
import { type Answer, api } from './api.ts';

type Metrics = Answer<'/v1/review/metrics'>;

const percent = (rate: number | null) => (rate === null ? 'n/a' : `${Math.round(rate * 100)}%`);

export function MetricsPage() {
  const [windowHours, setWindowHours] = useState(24);
  const [metrics, setMetrics] = useState<Metrics | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Metrics>(`/v1/review/metrics?window_hours=${windowHours}`)
      .then(setMetrics)
      .catch((err: Error) => setError(err.message));
  }, [windowHours]);

  return (
    <section aria-labelledby="metrics-heading">
      <h1 id="metrics-heading">Reviewer metrics</h1>
      <label>
        Window
        <select value={windowHours} onChange={(e) => setWindowHours(Number(e.target.value))}>
          <option value={1}>last hour</option>
          <option value={24}>last 24 hours</option>
          <option value={168}>last 7 days</option>
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {metrics && (
        <dl className="metrics">
          <dt>Decisions</dt>
          <dd>
            {metrics.decisions} ({metrics.decisions_per_hour} per hour)
          </dd>
          <dt>Classifier agrees with reviewers</dt>
          <dd>
            {percent(metrics.classifier_agreement.rate)} of {metrics.classifier_agreement.n}
          </dd>
          <dt>Second reviewer agrees with the first</dt>
          <dd>
            {percent(metrics.reviewer_agreement.rate)} of {metrics.reviewer_agreement.n}
          </dd>
          <dt>LLM judge agrees with reviewers</dt>
          <dd>
            {percent(metrics.judge_agreement.rate)} of {metrics.judge_agreement.n}
          </dd>
          {metrics.reviewers.map((r) => (
            <div key={r.reviewer}>
              <dt>{r.reviewer}</dt>
              <dd>
                {r.decisions} decisions ({r.decisions_per_hour} per hour)
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
