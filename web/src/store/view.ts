// The transfers list as shown: filtered by state, label and search text, sorted by one column. Recomputed only
// when rows came or went or a field it depends on changed, so a burst of rate updates costs no sort.
import type { NodeStore } from './torrents.js';
import type { TorrentSummary } from '../../../src/node/types.js';

export type SortKey =
  | 'name' | 'totalBytes' | 'progress' | 'status' | 'downloadRateBytesPerSec' | 'uploadRateBytesPerSec' | 'peers'
  | 'etaSeconds' | 'ratio' | 'labels' | 'addedAt' | 'queuePosition';

import { matchesState, type StateFilter } from './facets.js';

export type { StateFilter };

export const STATE_FILTERS: { value: StateFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'downloading', label: 'Downloading' },
  { value: 'seeding', label: 'Seeding' },
  { value: 'completed', label: 'Completed' },
  { value: 'stopped', label: 'Paused' },
  { value: 'active', label: 'Active' },
  { value: 'queued', label: 'Queued' },
  { value: 'checking', label: 'Checking' },
  { value: 'error', label: 'Error' },
];

export interface ViewParams {
  sortKey: SortKey;
  descending: boolean;
  state: StateFilter;
  /** '' for every label. */
  label: string;
  search: string;
}

// One collator for every comparison: String.prototype.localeCompare builds one per call, which costs a sort of
// 10,000 names tens of milliseconds. Numeric, so "part 2" sorts before "part 10".
const collator = new Intl.Collator(undefined, { numeric: true });

function compare(a: TorrentSummary, b: TorrentSummary, key: SortKey): number {
  if (key === 'name') return collator.compare(a.name, b.name);
  if (key === 'status') return a.status < b.status ? -1 : a.status > b.status ? 1 : 0;
  if (key === 'labels') return collator.compare(a.labels.join(','), b.labels.join(','));
  // ETA -1 means unknown or done: after every known ETA.
  if (key === 'etaSeconds') return (a.etaSeconds < 0 ? Infinity : a.etaSeconds) - (b.etaSeconds < 0 ? Infinity : b.etaSeconds);
  return a[key] - b[key];
}

/** Which torrent fields the view reads for these params. */
function dependencies(p: ViewParams): string[] {
  const deps = ['status', p.sortKey];
  if (p.search) deps.push('name');
  if (p.label) deps.push('labels');
  if (p.state === 'completed') deps.push('progress');
  if (p.state === 'active') deps.push('downloadRateBytesPerSec', 'uploadRateBytesPerSec');
  return deps;
}

export function computeRows(store: NodeStore, p: ViewParams): number[] {
  const needle = p.search.trim().toLowerCase();
  const rows: TorrentSummary[] = [];
  for (const t of store.torrents.values()) {
    if (!matchesState(t, p.state)) continue;
    if (p.label && !t.labels.includes(p.label)) continue;
    if (needle && !t.name.toLowerCase().includes(needle)) continue;
    rows.push(t);
  }
  const sign = p.descending ? -1 : 1;
  // The id breaks ties, so rows with equal keys keep one order across updates instead of jumping around.
  rows.sort((a, b) => sign * compare(a, b, p.sortKey) || a.id - b.id);
  return rows.map((t) => t.id);
}

/** Caches computeRows until the store changes something the params depend on. */
export class RowsCache {
  private rows: number[] = [];
  private params: ViewParams | null = null;
  private computedAt = -1;

  get(store: NodeStore, p: ViewParams): number[] {
    if (this.params !== p || this.stale(store, p)) {
      this.rows = computeRows(store, p);
      this.params = p;
      this.computedAt = store.version;
    }
    return this.rows;
  }

  private stale(store: NodeStore, p: ViewParams): boolean {
    if (store.rowsVersion > this.computedAt) return true;
    return dependencies(p).some((key) => (store.fieldVersion.get(key) ?? -1) > this.computedAt);
  }
}

/** The filter menus' counts and labels, the label list rebuilt only when the set of labels changed. */
export class FacetsCache {
  private labels: string[] = [];
  private labelsAt = -1;

  get(store: NodeStore): { states: ReadonlyMap<StateFilter, number>; labels: string[] } {
    const changedAt = Math.max(store.rowsVersion, store.fieldVersion.get('labels') ?? -1);
    if (changedAt > this.labelsAt) {
      this.labels = store.facets.labelList();
      this.labelsAt = store.version;
    }
    return { states: store.facets.states, labels: this.labels };
  }
}
