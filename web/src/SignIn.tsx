import { type FormEvent, useState } from 'react';
import { type Whoami, api, storeKey } from './api.ts';

/** The key stays in this tab's sessionStorage only: closing the tab signs the reviewer out. */
export function SignIn({ onSignedIn }: { onSignedIn: (me: Whoami) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const me = await api<Whoami>('/v1/review/whoami', { key: key.trim() });
      storeKey(key.trim());
      onSignedIn(me);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <main className="sign-in">
      <h1>Warden review console</h1>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label htmlFor="reviewer-key">Reviewer API key</label>
        <input id="reviewer-key" type="password" autoComplete="off" autoFocus required value={key} onChange={(e) => setKey(e.target.value)} />
        <button type="submit">Sign in</button>
        {error && (
          <p id="sign-in-error" role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
