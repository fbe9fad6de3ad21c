import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { NodeError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { SEED_RATIO_MODES, type SeedRatioMode } from './seed-limit.js';
import type { StateStore, StoredResume, TorrentRecord } from './state-store.js';

export type { StoredResume, TorrentRecord } from './state-store.js';

type Row = Record<string, unknown>;

/** Columns a record field maps to; JSON fields are stored as text. */
const COLUMNS: Record<keyof Omit<TorrentRecord, 'id' | 'hasTorrent'>, [column: string, kind: 'plain' | 'json' | 'bool' | 'mode']> = {
  infoHash: ['info_hash', 'plain'],
  name: ['name', 'plain'],
  torrent: ['torrent', 'plain'],
  magnet: ['magnet', 'plain'],
  savePath: ['save_path', 'plain'],
  paused: ['paused', 'bool'],
  labels: ['labels', 'json'],
  filesWanted: ['files_wanted', 'json'],
  priorities: ['priorities', 'json'],
  sequential: ['sequential', 'bool'],
  downLimit: ['down_limit', 'plain'],
  upLimit: ['up_limit', 'plain'],
  seedRatio: ['seed_ratio', 'plain'],
  seedRatioMode: ['seed_ratio_mode', 'mode'],
  queuePosition: ['queue_position', 'plain'],
  addedAt: ['added_at', 'plain'],
  completedAt: ['completed_at', 'plain'],
  uploaded: ['uploaded', 'plain'],
  downloaded: ['downloaded', 'plain'],
  extraPeers: ['extra_peers', 'json'],
  extraTrackers: ['extra_trackers', 'json'],
  extraWebSeeds: ['extra_web_seeds', 'json'],
  webSeedBytes: ['web_seed_bytes', 'json'],
  totalBytes: ['total_bytes', 'plain'],
  pieceCount: ['piece_count', 'plain'],
  wantedBytes: ['wanted_bytes', 'plain'],
  verifiedBytes: ['verified_bytes', 'plain'],
  piecesHave: ['pieces_have', 'plain'],
};

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * The node's state in one SQLite file, in WAL mode: every write is a transaction committed before the caller goes
 * on, so `kill -9` at any moment leaves the last committed state. Synchronous (better-sqlite3): each call is a few
 * microseconds, and a synchronous commit is what makes "committed before the API answers" simple to keep.
 */
export class NodeStore implements StateStore {
  /** Prepared statements, compiled once each (preparing costs more than running a small one). */
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Opens (creating if absent) and migrates; a file that is not a usable tandem database is a NODE_STATE_CORRUPT. */
  static open(path: string): NodeStore {
    checkHeader(path);
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a process crash (kill -9); only a power cut may lose the last ones.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 2000');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(String(check));
      migrate(db, path);
      return new NodeStore(db, path);
    } catch (err) {
      db?.close();
      if (err instanceof NodeError) throw err;
      throw new NodeError('NODE_STATE_CORRUPT', `state database ${path} is unreadable or corrupt: ${(err as Error).message}`, 'runtime', { cause: err });
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Every torrent, without its .torrent bytes (`hasTorrent` says whether there are any: `loadTorrentBytes`). */
  listTorrents(): TorrentRecord[] {
    const columns = Object.values(COLUMNS).map(([c]) => c).filter((c) => c !== 'torrent');
    const rows = this.stmt(`SELECT id, ${columns.join(', ')}, torrent IS NOT NULL AS has_torrent FROM torrents ORDER BY queue_position, id`).all() as Row[];
    return rows.map(fromRow);
  }

  loadTorrentBytes(id: number): Buffer | null {
    const row = this.stmt('SELECT torrent FROM torrents WHERE id = ?').get(id) as Row | undefined;
    return row && Buffer.isBuffer(row.torrent) ? row.torrent : null;
  }

  /** Inserts a torrent and returns its new id (never one used before). */
  insertTorrent(record: Omit<TorrentRecord, 'id' | 'hasTorrent'>): number {
    const entries = Object.entries(COLUMNS) as [keyof typeof COLUMNS, [string, string]][];
    const sql = `INSERT INTO torrents (${entries.map(([, [c]]) => c).join(', ')}) VALUES (${entries.map(() => '?').join(', ')})`;
    const info = this.stmt(sql).run(...entries.map(([k]) => toColumn(k, record[k])));
    return Number(info.lastInsertRowid);
  }

  updateTorrent(id: number, changes: Partial<Omit<TorrentRecord, 'id' | 'hasTorrent'>>): void {
    const keys = Object.keys(changes) as (keyof typeof COLUMNS)[];
    if (keys.length === 0) return;
    const sql = `UPDATE torrents SET ${keys.map((k) => `${COLUMNS[k][0]} = ?`).join(', ')} WHERE id = ?`;
    this.stmt(sql).run(...keys.map((k) => toColumn(k, changes[k])), id);
  }

  /** Updates many torrents in one transaction (the periodic checkpoint of byte counters). */
  updateMany(updates: { id: number; changes: Partial<Omit<TorrentRecord, 'id' | 'hasTorrent'>> }[]): void {
    this.db.transaction(() => {
      for (const u of updates) this.updateTorrent(u.id, u.changes);
    })();
  }

  deleteTorrent(id: number): void {
    this.stmt('DELETE FROM torrents WHERE id = ?').run(id);
  }

  saveResume(id: number, bitfield: Buffer, files: unknown[]): void {
    this.stmt('INSERT INTO resume (torrent_id, bitfield, files, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT(torrent_id) DO UPDATE SET bitfield = excluded.bitfield, files = excluded.files, saved_at = excluded.saved_at')
      .run(id, bitfield, JSON.stringify(files), Date.now());
  }

  loadResume(id: number): StoredResume | undefined {
    const row = this.stmt('SELECT bitfield, files, saved_at FROM resume WHERE torrent_id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    let files: unknown;
    try {
      files = JSON.parse(String(row.files));
    } catch {
      return undefined;
    }
    return Array.isArray(files) && Buffer.isBuffer(row.bitfield) ? { bitfield: row.bitfield, files, savedAt: Number(row.saved_at) } : undefined;
  }

  deleteResume(id: number): void {
    this.stmt('DELETE FROM resume WHERE torrent_id = ?').run(id);
  }

  getSettings(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const row of this.stmt('SELECT key, value FROM settings').all() as Row[]) {
      try {
        out[String(row.key)] = JSON.parse(String(row.value));
      } catch {
        // A value we cannot read falls back to its default.
      }
    }
    return out;
  }

  setSettings(values: Record<string, unknown>): void {
    const put = this.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) put.run(k, JSON.stringify(v));
    })();
  }

  getCounters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const row of this.stmt('SELECT key, value FROM counters').all() as Row[]) out[String(row.key)] = Number(row.value);
    return out;
  }

  addCounters(deltas: Record<string, number>): void {
    const add = this.stmt('INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value');
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(deltas)) if (v !== 0) add.run(k, Math.round(v));
    })();
  }

  /** Several writes as one commit. */
  transaction<T>(body: () => T): T {
    return this.db.transaction(body)();
  }
}

/** A file that exists, is not empty and does not start with SQLite's header is refused before SQLite touches it. */
function checkHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new NodeError('NODE_STATE_CORRUPT', `state database ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n > 0 && (n < 16 || head.toString('latin1') !== SQLITE_MAGIC)) {
      throw new NodeError('NODE_STATE_CORRUPT', `state database ${path} is not a SQLite database (move it away to start afresh)`);
    }
  } finally {
    closeSync(fd);
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    throw new NodeError('NODE_STATE_CORRUPT', `state database ${path} has schema version ${version}, newer than this tandem's ${SCHEMA_VERSION}`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function toColumn(key: keyof typeof COLUMNS, value: unknown): unknown {
  const kind = COLUMNS[key][1];
  if (kind === 'json') return value === null || value === undefined ? null : JSON.stringify(value);
  if (kind === 'bool') return value ? 1 : 0;
  if (kind === 'mode') return Math.max(0, SEED_RATIO_MODES.indexOf(value as SeedRatioMode));
  return value ?? null;
}

/**
 * A row as a record, built as one object literal (a fixed shape: V8 keeps it compact, where 27 properties added
 * one by one would turn it into a dictionary), with the strings and empty lists many rows share interned.
 */
function fromRow(row: Row): TorrentRecord {
  const json = <T>(column: string, fallback: T): T => {
    const v = row[column];
    if (v === null || v === undefined) return fallback;
    const text = String(v);
    return text === '[]' ? (EMPTY as T) : ((safeJson(text) as T) ?? fallback);
  };
  const num = (column: string): number => Number(row[column] ?? 0);
  return {
    id: num('id'),
    infoHash: String(row.info_hash),
    name: String(row.name),
    torrent: Buffer.isBuffer(row.torrent) ? row.torrent : null,
    hasTorrent: row.torrent !== undefined ? row.torrent !== null : Number(row.has_torrent) === 1,
    magnet: row.magnet === null || row.magnet === undefined ? null : String(row.magnet),
    savePath: intern(String(row.save_path)),
    paused: num('paused') !== 0,
    labels: json<string[]>('labels', EMPTY),
    filesWanted: json<number[] | null>('files_wanted', null),
    priorities: json<Record<string, -1 | 1>>('priorities', {}),
    sequential: num('sequential') !== 0,
    downLimit: num('down_limit'),
    upLimit: num('up_limit'),
    seedRatio: num('seed_ratio'),
    seedRatioMode: SEED_RATIO_MODES[num('seed_ratio_mode')] ?? 'global',
    queuePosition: num('queue_position'),
    addedAt: num('added_at'),
    completedAt: num('completed_at'),
    uploaded: num('uploaded'),
    downloaded: num('downloaded'),
    extraPeers: json<string[]>('extra_peers', EMPTY),
    extraTrackers: json<string[]>('extra_trackers', EMPTY),
    extraWebSeeds: json<string[]>('extra_web_seeds', EMPTY),
    webSeedBytes: row.web_seed_bytes === '{}' || row.web_seed_bytes === undefined ? NO_BYTES : json<Record<string, number>>('web_seed_bytes', NO_BYTES),
    totalBytes: num('total_bytes'),
    pieceCount: num('piece_count'),
    wantedBytes: num('wanted_bytes'),
    verifiedBytes: num('verified_bytes'),
    piecesHave: num('pieces_have'),
  };
}

/** One empty list shared by every record that has none (records replace their lists, never push into them). */
const EMPTY: never[] = Object.freeze([]) as unknown as never[];
/** Likewise the web seed totals of a torrent that has had none. */
const NO_BYTES: Readonly<Record<string, number>> = Object.freeze({});

/** Save paths repeat across thousands of torrents: one string each. */
const interned = new Map<string, string>();
function intern(text: string): string {
  const known = interned.get(text);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(text, text);
  return text;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
