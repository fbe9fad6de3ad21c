// The page: log in (token or the browser's Basic credentials) and follow the node's event stream.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clearToken, getToken, setToken } from '../api/auth.js';
import { EventStream, type StreamState } from '../api/events.js';
import { AuthError, call } from '../api/rpc.js';
import { store } from '../store/instance.js';
import { batchApplied, mark } from '../store/perf.js';
import { Login } from './Login.js';
import { Main } from './Main.js';
import { notices } from './notices.js';

type Phase = 'starting' | 'login' | 'refused' | 'ready';

export function App(): JSX.Element {
  // With a token the stream opens at once, beside session.get (one round trip less before the list shows);
  // without one (a daemon with Basic auth, or none yet) it waits until session.get says the browser is let in.
  const [phase, setPhase] = useState<Phase>(() => (getToken() ? 'ready' : 'starting'));
  const [stream, setStream] = useState<StreamState>('connecting');
  useEffect(() => {
    notices.onAuthLost(() => setPhase('refused'));
    void start();
    async function start(): Promise<void> {
      try {
        mark('app-start');
        store.setSettings(await call('session.get', {}));
        mark('session');
        setPhase('ready');
      } catch (err) {
        if (err instanceof AuthError) setPhase(getToken() ? 'refused' : 'login');
        else notices.error(err, 'Cannot reach the daemon');
      }
    }
  }, []);
  useEffect(() => {
    if (phase !== 'ready') return;
    const events = new EventStream((batch) => {
      store.applyBatch(batch);
      // The node's warnings (a tracker that fails, a disk error) are shown, not only kept.
      for (const e of batch.events) if (e.type === 'warning') notices.push(`Node: ${e.message}`, 'error');
      batchApplied(batch.events.length, batch.receivedAt, batch.flushedAt, batch.parseMs);
    }, setStream, async () => Date.now() - (await call('session.stats', {})).secondsActive * 1000);
    events.start();
    return () => events.stop();
  }, [phase]);

  if (phase === 'login' || phase === 'refused') {
    return (
      <Login
        failed={phase === 'refused'}
        onToken={(token) => {
          setToken(token);
          call('session.get', {})
            .then((s) => {
              store.setSettings(s);
              setPhase('ready');
            })
            .catch(() => {
              clearToken();
              setPhase('refused');
            });
        }}
      />
    );
  }
  return <Main stream={stream} />;
}
