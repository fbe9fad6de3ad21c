// The live region where notices appear (polite for news, assertive for errors).
import type { JSX } from 'preact';
import { notices } from './notices.js';
import { useSubscription } from './hooks.js';

export function Notices(): JSX.Element {
  useSubscription(notices.subscribe);
  return (
    <div class="notices" role="log" aria-live="polite" aria-label="Notices">
      {notices.items.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : undefined}>
          <span>{n.text}</span>
          <button type="button" class="icon" aria-label="Dismiss" onClick={() => notices.dismiss(n.id)}>✕</button>
        </div>
      ))}
    </div>
  );
}
