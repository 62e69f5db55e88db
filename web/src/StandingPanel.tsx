import type { Standing } from './api.ts';

export function StandingPanel({ standing }: { standing: Standing | null }) {
  return (
    <section aria-labelledby="standing-heading">
      <h2 id="standing-heading">Account standing</h2>
      {!standing ? (
        <p>No enforcement history for this account yet.</p>
      ) : (
        <>
          <p data-testid="standing-summary">
            Account {standing.account.id}: rung <strong>{standing.rung}</strong>, in force <strong>{standing.in_force}</strong>, score {standing.score}
          </p>
          <h3>Actions</h3>
          {standing.actions.length === 0 ? (
            <p>No actions.</p>
          ) : (
            <ul data-testid="standing-actions">
              {standing.actions.map((a) => (
                <li key={a.id}>
                  {a.rung} ({a.trigger}) on {new Date(a.taken_at).toLocaleString()} for {a.reasons.clause_ids.join(', ')}
                  {a.ends_at && `, until ${new Date(a.ends_at).toLocaleString()}`}
                  {a.status && ` — ${a.status}`}
                </li>
              ))}
            </ul>
          )}
          <h3>History</h3>
          <ul>
            {standing.events.slice(0, 10).map((e) => (
              <li key={e.id}>
                {e.source} event {e.id} on {new Date(e.recorded_at).toLocaleString()}
                {e.counted ? '' : ' (not counted)'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
