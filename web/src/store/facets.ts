// Counts for the filter menus (torrents per state filter, torrents per label), kept up to date one torrent at a
// time as events arrive, so a burst of a thousand changes costs a thousand small steps, not a thousand passes
// over every torrent.
import type { TorrentSummary } from '../../../src/node/types.js';

export type StateFilter = 'all' | 'downloading' | 'seeding' | 'completed' | 'stopped' | 'active' | 'queued' | 'checking' | 'error';

export function matchesState(t: TorrentSummary, state: StateFilter): boolean {
  switch (state) {
    case 'all': return true;
    case 'downloading': return t.status === 'downloading' || t.status === 'metadata';
    case 'completed': return t.progress >= 1;
    case 'active': return t.downloadRateBytesPerSec > 0 || t.uploadRateBytesPerSec > 0;
    default: return t.status === state;
  }
}

const FILTERS: StateFilter[] = ['all', 'downloading', 'seeding', 'completed', 'stopped', 'active', 'queued', 'checking', 'error'];

export class FacetCounts {
  readonly states = new Map<StateFilter, number>(FILTERS.map((f) => [f, 0]));
  readonly labels = new Map<string, number>();

  clear(): void {
    for (const f of FILTERS) this.states.set(f, 0);
    this.labels.clear();
  }

  /** Counts a torrent in (+1) or out (-1). */
  count(t: TorrentSummary, sign: 1 | -1): void {
    for (const f of FILTERS) if (matchesState(t, f)) this.states.set(f, this.states.get(f)! + sign);
    for (const l of t.labels) {
      const n = (this.labels.get(l) ?? 0) + sign;
      if (n > 0) this.labels.set(l, n);
      else this.labels.delete(l);
    }
  }

  labelList(): string[] {
    return [...this.labels.keys()].sort();
  }
}
