// The toolbar's actions that need no dialog: one RPC on the selected torrents, its failure shown as a notice.
import { call } from '../api/rpc.js';
import { store } from '../store/instance.js';
import { attempt } from './notices.js';
import type { SelectionAction } from './Toolbar.js';

/** Runs the action when it needs no dialog; false when it does (remove, label, limits). */
export function runAction(action: SelectionAction, ids: number[]): boolean {
  const run = (what: string, rpc: () => Promise<unknown>): true => {
    void attempt(what, rpc);
    return true;
  };
  switch (action) {
    case 'resume': return run('Resume', () => call('torrent.resume', { ids }));
    case 'pause': return run('Pause', () => call('torrent.pause', { ids }));
    case 'verify': return run('Verify', () => call('torrent.verify', { ids }));
    case 'top': return run('Queue', () => call('torrent.queueMove', { ids, to: 'top' }));
    case 'sequential': {
      // One toggle for the selection: on unless every selected torrent is already sequential.
      const on = !ids.every((id) => store.torrents.get(id)?.sequential);
      return run('Sequential', () => call('torrent.set', { ids, sequential: on }));
    }
    default: return false;
  }
}

/** The header's switch: alternative speeds on or off for the whole node (the daemon's session:changed confirms it). */
export function setAltSpeed(enabled: boolean): void {
  void attempt('Alternative speeds', () => call('session.set', { altSpeedEnabled: enabled })).then((s) => s && store.setSettings(s));
}
