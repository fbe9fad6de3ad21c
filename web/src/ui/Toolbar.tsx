// Actions on the selected torrents. Each button names what it does; the ones that need a choice open a dialog.
import type { JSX } from 'preact';

export type SelectionAction = 'resume' | 'pause' | 'verify' | 'remove' | 'label' | 'limits' | 'top' | 'sequential' | 'files' | 'details';

const ACTIONS: { action: SelectionAction; text: string; single?: boolean }[] = [
  { action: 'resume', text: 'Resume' },
  { action: 'pause', text: 'Pause' },
  { action: 'verify', text: 'Verify' },
  { action: 'remove', text: 'Remove…' },
  { action: 'label', text: 'Label…' },
  { action: 'limits', text: 'Limits…' },
  { action: 'top', text: 'Queue top' },
  { action: 'sequential', text: 'Sequential' },
  { action: 'files', text: 'Files…', single: true },
  { action: 'details', text: 'Details', single: true },
];

export function Toolbar({ count, onAction }: { count: number; onAction: (a: SelectionAction) => void }): JSX.Element {
  return (
    <div class="toolbar" role="toolbar" aria-label={`Actions on ${count} selected`}>
      <span class="sel-count" aria-live="polite">{count ? `${count} selected` : 'None selected'}</span>
      {ACTIONS.map((a) => (
        <button key={a.action} type="button" class={`act-${a.action}`} disabled={a.single ? count !== 1 : count === 0} onClick={() => onAction(a.action)}>
          {a.text}
        </button>
      ))}
    </div>
  );
}
