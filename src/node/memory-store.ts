import type { StateStore, StoredResume, TorrentFields, TorrentRecord } from './state-store.js';

/**
 * The state of a one-shot node (`tandem get`, `tandem share`), which forgets it on exit: the same contract as the
 * SQLite store, in plain maps. Opening SQLite in memory and running its migrations cost a `get` about 40 ms of CPU
 * before its first request (its native module, the schema, the first statements), on every one of the sixteen
 * processes the lab starts at once.
 *
 * Values are copied in and out, as a database would: a caller that changes a record it was given, or one it
 * passed in, changes nothing here. A transaction is not undone when its body throws (nothing outlives the process).
 */
export class MemoryStore implements StateStore {
  private readonly torrents = new Map<number, TorrentFields>();
  private readonly resume = new Map<number, StoredResume>();
  private settings: Record<string, unknown> = {};
  private readonly counters = new Map<string, number>();
  /** AUTOINCREMENT: a deleted id is never given again. */
  private lastId = 0;

  close(): void {}

  listTorrents(): TorrentRecord[] {
    return [...this.torrents.entries()]
      .sort(([a, x], [b, y]) => x.queuePosition - y.queuePosition || a - b)
      .map(([id, r]) => ({ ...copyFields(r), id, torrent: null, hasTorrent: r.torrent !== null }));
  }

  loadTorrentBytes(id: number): Buffer | null {
    return this.torrents.get(id)?.torrent ?? null;
  }

  insertTorrent(record: TorrentFields): number {
    for (const r of this.torrents.values()) {
      if (r.infoHash === record.infoHash) throw new Error(`torrent ${record.infoHash} is already in the store`); // as SQLite's UNIQUE
    }
    const id = ++this.lastId;
    this.torrents.set(id, copyFields(record));
    return id;
  }

  updateTorrent(id: number, changes: Partial<TorrentFields>): void {
    const r = this.torrents.get(id);
    if (r) this.torrents.set(id, copyFields({ ...r, ...changes }));
  }

  updateMany(updates: { id: number; changes: Partial<TorrentFields> }[]): void {
    for (const u of updates) this.updateTorrent(u.id, u.changes);
  }

  deleteTorrent(id: number): void {
    this.torrents.delete(id);
    this.resume.delete(id); // ON DELETE CASCADE in the SQLite schema
  }

  saveResume(id: number, bitfield: Buffer, files: unknown[]): void {
    if (this.torrents.has(id)) this.resume.set(id, { bitfield: Buffer.from(bitfield), files: structuredClone(files), savedAt: Date.now() });
  }

  loadResume(id: number): StoredResume | undefined {
    const r = this.resume.get(id);
    return r && { bitfield: Buffer.from(r.bitfield), files: structuredClone(r.files), savedAt: r.savedAt };
  }

  deleteResume(id: number): void {
    this.resume.delete(id);
  }

  getSettings(): Record<string, unknown> {
    return JSON.parse(JSON.stringify(this.settings)) as Record<string, unknown>;
  }

  setSettings(values: Record<string, unknown>): void {
    // Kept as JSON, as the database keeps each value: a copy, not the caller's object.
    this.settings = { ...this.settings, ...(JSON.parse(JSON.stringify(values)) as Record<string, unknown>) };
  }

  getCounters(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  addCounters(deltas: Record<string, number>): void {
    for (const [k, v] of Object.entries(deltas)) if (v !== 0) this.counters.set(k, (this.counters.get(k) ?? 0) + Math.round(v));
  }

  transaction<T>(body: () => T): T {
    return body();
  }
}

/** A record's own copy: its lists and maps are cloned (the .torrent bytes are never changed in place, so shared). */
function copyFields<T extends TorrentFields>(r: T): T {
  return {
    ...r,
    labels: [...r.labels],
    filesWanted: r.filesWanted && [...r.filesWanted],
    priorities: { ...r.priorities },
    extraPeers: [...r.extraPeers],
    extraTrackers: [...r.extraTrackers],
    extraWebSeeds: [...r.extraWebSeeds],
    webSeedBytes: { ...r.webSeedBytes },
  };
}
