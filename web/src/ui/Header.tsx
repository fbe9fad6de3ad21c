// The top bar: name, connection state, the node's total rates, and the dialogs for the rest of the node.
import type { JSX } from 'preact';
import type { StreamState } from '../api/events.js';
import * as fmt from '../lib/format.js';
import type { SessionSettings } from '../../../src/node/types.js';

export type Panel = 'add' | 'create' | 'session' | 'servers';

export interface HeaderProps {
  stream: StreamState;
  down: number;
  up: number;
  /** The node's settings once known: the alternative speeds' switch shows and flips them. */
  settings: SessionSettings | null;
  onAltSpeed: (enabled: boolean) => void;
  onPanel: (panel: Panel) => void;
}

const STREAM_TEXT: Record<StreamState, string> = { connecting: 'Connecting…', open: 'Live', closed: 'Reconnecting…' };

function limitText(n: number): string {
  return fmt.rate(n) || 'no limit';
}

export function Header({ stream, down, up, settings, onAltSpeed, onPanel }: HeaderProps): JSX.Element {
  const alt = settings?.altSpeedEnabled ?? false;
  return (
    <header class="top">
      <h1 class="brand">tandem</h1>
      <span class={`conn conn-${stream}`} role="status" aria-label={`Connection: ${STREAM_TEXT[stream]}`}>
        <span aria-hidden="true" class="dot" />
        {STREAM_TEXT[stream]}
      </span>
      <span class="totals" aria-label="Total rates">
        <span>↓ {fmt.rate(down) || '0 B/s'}</span> <span>↑ {fmt.rate(up) || '0 B/s'}</span>
      </span>
      {settings && (
        <button
          type="button"
          class="alt-toggle"
          aria-pressed={alt}
          title={`Alternative speeds: ↓ ${limitText(settings.altSpeedDownBytesPerSec)} · ↑ ${limitText(settings.altSpeedUpBytesPerSec)} in place of the normal limits (set them in Settings)`}
          onClick={() => onAltSpeed(!alt)}
        >
          <span class="alt-dot" aria-hidden="true" />Alt speeds
        </button>
      )}
      <nav class="top-actions" aria-label="Node">
        <button type="button" class="primary" onClick={() => onPanel('add')}>Add</button>
        <button type="button" onClick={() => onPanel('create')}>Create</button>
        <button type="button" onClick={() => onPanel('servers')}>Servers</button>
        <button type="button" onClick={() => onPanel('session')}>Settings</button>
      </nav>
    </header>
  );
}
