import type { StateStore, TorrentRecord } from './state-store.js';
import type { TorrentEntry } from './torrent-entry.js';
import type { SessionStats } from './types.js';
import { VERSION } from '../util/version.js';

/**
 * The session's byte totals: what every torrent moved since the last checkpoint is committed in one transaction
 * (with the all-time counters), and the statistics count a stopped torrent's bytes that still wait for it.
 */
export class SessionTotals {
  private readonly startedAt = Date.now();
  private sessionUp = 0;
  private sessionDown = 0;
  /** Global rates, summed by the node's tick. */
  rates = { down: 0, up: 0 };
  piecesHashed = 0;

  constructor(private readonly store: StateStore) {}

  /** Commits every torrent's new byte totals, and the session's, in one transaction. */
  checkpoint(entries: Iterable<TorrentEntry>): void {
    const updates: { id: number; changes: Pick<TorrentRecord, 'uploaded' | 'downloaded' | 'webSeedBytes'> }[] = [];
    let up = 0;
    let down = 0;
    for (const e of entries) {
      const d = e.takeUnsaved();
      if (d.up === 0 && d.down === 0) continue;
      up += d.up;
      down += d.down;
      // A web seed's bytes are downloaded bytes too: they change only when those do.
      updates.push({ id: e.id, changes: { uploaded: e.record.uploaded, downloaded: e.record.downloaded, webSeedBytes: e.record.webSeedBytes } });
    }
    this.sessionUp += up;
    this.sessionDown += down;
    if (updates.length === 0) return;
    this.store.transaction(() => {
      this.store.updateMany(updates);
      this.store.addCounters({ uploadedBytes: up, downloadedBytes: down });
    });
  }

  stats(entries: Map<number, TorrentEntry>, dhtNodes: number): SessionStats {
    const counters = this.store.getCounters();
    let active = 0;
    let paused = 0;
    // A stopped torrent's last bytes wait for the next checkpoint; they count already.
    let pendingUp = 0;
    let pendingDown = 0;
    for (const e of entries.values()) {
      if (e.running) active++;
      if (e.record.paused) paused++;
      const p = e.pendingBytes();
      pendingUp += p.up;
      pendingDown += p.down;
    }
    return {
      torrentCount: entries.size,
      activeTorrentCount: active,
      pausedTorrentCount: paused,
      downloadRateBytesPerSec: this.rates.down,
      uploadRateBytesPerSec: this.rates.up,
      sessionDownloadedBytes: this.sessionDown + pendingDown,
      sessionUploadedBytes: this.sessionUp + pendingUp,
      cumulativeDownloadedBytes: (counters.downloadedBytes ?? 0) + pendingDown,
      cumulativeUploadedBytes: (counters.uploadedBytes ?? 0) + pendingUp,
      secondsActive: Math.floor((Date.now() - this.startedAt) / 1000),
      dhtNodes,
      piecesHashed: this.piecesHashed,
      version: VERSION,
    };
  }
}
