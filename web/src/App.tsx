import { Suspense, lazy, useCallback, useEffect, useState } from 'react';
import { type Whoami, api, storeKey, storedKey } from './api.ts';
import { CasePage } from './CasePage.tsx';
import { MetricsPage } from './MetricsPage.tsx';
import { ModelsPage } from './ModelsPage.tsx';
import { PolicyBrowser } from './PolicyBrowser.tsx';
import { QueuePage } from './QueuePage.tsx';
import { RulesPage } from './RulesPage.tsx';
import { SignIn } from './SignIn.tsx';

// The Trends page (and its chart library) loads on first visit, keeping the console's first load small.
const TrendsPage = lazy(() => import('./TrendsPage.tsx').then((m) => ({ default: m.TrendsPage })));

/** `#/queue`, `#/case/<id>`, `#/policies`, `#/metrics`, `#/trends`, `#/rules`: hash routes, so the server needs no fallback. */
function useRoute(): string {
  const [route, setRoute] = useState(window.location.hash.slice(1) || '/queue');
  useEffect(() => {
    const onChange = () => setRoute(window.location.hash.slice(1) || '/queue');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App() {
  const [me, setMe] = useState<Whoami | null>(null);
  const [checking, setChecking] = useState(Boolean(storedKey()));
  const route = useRoute();

  useEffect(() => {
    if (!storedKey()) return;
    api<Whoami>('/v1/review/whoami')
      .then(setMe)
      .catch(() => storeKey(null))
      .finally(() => setChecking(false));
  }, []);

  const signOut = useCallback(() => {
    storeKey(null);
    setMe(null);
  }, []);

  if (checking) return <p role="status">Checking your key…</p>;
  if (!me) return <SignIn onSignedIn={setMe} />;

  const caseMatch = /^\/case\/(.+)$/.exec(route);
  return (
    <>
      <header className="top">
        <span className="brand">Warden review</span>
        <nav aria-label="Console sections">
          <a href="#/queue" aria-current={route === '/queue' ? 'page' : undefined}>Queue</a>
          <a href="#/policies" aria-current={route === '/policies' ? 'page' : undefined}>Policies</a>
          <a href="#/metrics" aria-current={route === '/metrics' ? 'page' : undefined}>Metrics</a>
          <a href="#/models" aria-current={route === '/models' ? 'page' : undefined}>Models</a>
          <a href="#/trends" aria-current={route === '/trends' ? 'page' : undefined}>Trends</a>
          <a href="#/rules" aria-current={route === '/rules' ? 'page' : undefined}>Rules</a>
        </nav>
        <span className="who">
          {me.actor} ({me.role}, tenant {me.tenant})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {caseMatch ? (
          <CasePage key={caseMatch[1]} caseId={decodeURIComponent(caseMatch[1]!)} me={me} />
        ) : route === '/policies' ? (
          <PolicyBrowser />
        ) : route === '/metrics' ? (
          <MetricsPage />
        ) : route === '/models' ? (
          <ModelsPage />
        ) : route === '/trends' ? (
          <Suspense fallback={<p role="status">Loading trends…</p>}>
            <TrendsPage />
          </Suspense>
        ) : route === '/rules' ? (
          <RulesPage />
        ) : (
          <QueuePage />
        )}
      </main>
    </>
  );
}
