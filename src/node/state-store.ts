import type { SeedRatioMode } from './seed-limit.js';

/**
 * What the node keeps between runs: its torrents, their resume data, its settings and its counters. The daemon keeps
 * them in SQLite (`NodeStore`, store.ts); a one-shot node under `tandem get` and `tandem share` keeps them in memory
 * (`MemoryStore`, memory-store.ts) and never loads SQLite's native module. Both pass one test suite.
 */

/** One torrent as the node's state keeps it. */
export interface TorrentRecord {
  id: number;
  infoHash: string;
  name: string;
  torrent: Buffer | null;
  magnet: string | null;
  savePath: string;
  paused: boolean;
  labels: string[];
  filesWanted: number[] | null;
  priorities: Record<string, -1 | 1>;
  sequential: boolean;
  downLimit: number;
  upLimit: number;
  /** The torrent's own ratio limit, used when `seedRatioMode` is 'own'. */
  seedRatio: number;
  seedRatioMode: SeedRatioMode;
  queuePosition: number;
  addedAt: number;
  completedAt: number;
  uploaded: number;
  downloaded: number;
  extraPeers: string[];
  extraTrackers: string[];
  extraWebSeeds: string[];
  /** Bytes each web seed sent over the torrent's life, up to the last checkpoint (web-seed-tally.ts). */
  webSeedBytes: Readonly<Record<string, number>>;
  /** Whether the .torrent is known (stored); `torrent` itself is loaded only on demand. */
  hasTorrent?: boolean;
  /** Cached from the metainfo and the resume data (0 while a magnet's metadata is unknown). */
  totalBytes: number;
  pieceCount: number;
  wantedBytes: number;
  verifiedBytes: number;
  piecesHave: number;
}

export interface StoredResume {
  bitfield: Buffer;
  files: unknown[];
  savedAt: number;
}

/** A torrent as it is inserted or updated: the id is the store's, and the bytes are loaded apart. */
export type TorrentFields = Omit<TorrentRecord, 'id' | 'hasTorrent'>;

export interface StateStore {
  close(): void;
  /** Every torrent in queue order (then id), without its .torrent bytes (`hasTorrent` says whether there are any). */
  listTorrents(): TorrentRecord[];
  loadTorrentBytes(id: number): Buffer | null;
  /** Inserts a torrent and returns its new id (never one used before); an info hash already there is refused. */
  insertTorrent(record: TorrentFields): number;
  updateTorrent(id: number, changes: Partial<TorrentFields>): void;
  /** Updates many torrents as one commit (the periodic checkpoint of byte counters). */
  updateMany(updates: { id: number; changes: Partial<TorrentFields> }[]): void;
  /** Deletes a torrent and its resume data. */
  deleteTorrent(id: number): void;
  saveResume(id: number, bitfield: Buffer, files: unknown[]): void;
  loadResume(id: number): StoredResume | undefined;
  deleteResume(id: number): void;
  getSettings(): Record<string, unknown>;
  setSettings(values: Record<string, unknown>): void;
  getCounters(): Record<string, number>;
  /** Adds each delta (rounded) to its counter. */
  addCounters(deltas: Record<string, number>): void;
  /** Several writes as one commit. */
  transaction<T>(body: () => T): T;
}
