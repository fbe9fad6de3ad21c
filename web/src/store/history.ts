// Rates over the last minutes for the speed graph: the node's totals, and one watched torrent (the one whose
// details are open). Sampled from the store as events arrive, at most once a second; nothing polls the daemon.
import type { NodeStore } from './torrents.js';

export interface RateSample {
  at: number;
  down: number;
  up: number;
}

const KEEP_MS = 5 * 60_000;
const MIN_STEP_MS = 1_000;

class RateHistory {
  readonly total: RateSample[] = [];
  watched: { id: number; samples: RateSample[] } | null = null;
  private last = { down: 0, up: 0 };
  private lastVersion = -1;

  /** The node's current total rates; records a sample when a second passed since the last one. Sums again only
   * when a rate changed or rows came or went. */
  sample(store: NodeStore): { down: number; up: number } {
    const changedAt = Math.max(store.rowsVersion, store.fieldVersion.get('downloadRateBytesPerSec') ?? -1, store.fieldVersion.get('uploadRateBytesPerSec') ?? -1);
    if (changedAt <= this.lastVersion) return this.last;
    this.lastVersion = store.version;
    let down = 0;
    let up = 0;
    for (const t of store.torrents.values()) {
      down += t.downloadRateBytesPerSec;
      up += t.uploadRateBytesPerSec;
    }
    this.last = { down, up };
    const now = Date.now();
    push(this.total, { at: now, down, up });
    if (this.watched) {
      const t = store.torrents.get(this.watched.id);
      if (t) push(this.watched.samples, { at: now, down: t.downloadRateBytesPerSec, up: t.uploadRateBytesPerSec });
    }
    return this.last;
  }

  /** The samples of torrent `id`, starting with its rates `now` when it was not watched yet (a graph from the start). */
  watch(id: number, now: { down: number; up: number }): RateSample[] {
    if (this.watched?.id !== id) this.watched = { id, samples: [{ at: Date.now(), ...now }] };
    return this.watched.samples;
  }
}

function push(samples: RateSample[], s: RateSample): void {
  const last = samples[samples.length - 1];
  if (last && s.at - last.at < MIN_STEP_MS) {
    samples[samples.length - 1] = { ...s, at: last.at };
    return;
  }
  samples.push(s);
  while (samples.length > 0 && samples[0]!.at < s.at - KEEP_MS) samples.shift();
}

export const rateHistory = new RateHistory();
