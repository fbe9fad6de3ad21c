// Asks for the daemon's token when the page was opened without one (or with a stale one).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

export function Login({ onToken, failed }: { onToken: (token: string) => void; failed: boolean }): JSX.Element {
  const [token, setToken] = useState('');
  return (
    <main class="login">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <h1>tandem</h1>
        <p>
          Open the address <code>tandem daemon</code> printed when it started (it carries the token), or paste the token
          from the file <code>rpc-token</code> in the daemon's state folder.
        </p>
        <label for="token">Access token</label>
        <input id="token" type="password" autoComplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
        {failed && <p class="error-text" role="alert">That token was refused.</p>}
        <button type="submit" class="primary">Sign in</button>
      </form>
    </main>
  );
}
