/**
 * The node's database schema, as numbered migrations. `PRAGMA user_version` holds how many have run; a database
 * from a newer tandem (a higher version than we know) is refused rather than misread.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: torrents, their resume data, session settings and cumulative statistics.
  `
  CREATE TABLE torrents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,     -- stable: AUTOINCREMENT never reuses an id
    info_hash TEXT NOT NULL UNIQUE,           -- v1 info hash, lowercase hex
    name TEXT NOT NULL,
    torrent BLOB,                             -- the .torrent bytes; NULL for a magnet until its metadata arrives
    magnet TEXT,                              -- the magnet link it was added from, if any
    save_path TEXT NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '[]',        -- JSON array of strings
    files_wanted TEXT,                        -- JSON array of file indexes; NULL means every file
    priorities TEXT NOT NULL DEFAULT '{}',    -- JSON {fileIndex: -1 | 1}; absent means normal
    sequential INTEGER NOT NULL DEFAULT 0,
    down_limit INTEGER NOT NULL DEFAULT 0,    -- bytes per second, 0 none
    up_limit INTEGER NOT NULL DEFAULT 0,
    seed_ratio REAL NOT NULL DEFAULT 0,
    queue_position INTEGER NOT NULL,
    added_at INTEGER NOT NULL,                -- unix ms
    completed_at INTEGER NOT NULL DEFAULT 0,
    uploaded INTEGER NOT NULL DEFAULT 0,      -- bytes over the torrent's life
    downloaded INTEGER NOT NULL DEFAULT 0,
    extra_peers TEXT NOT NULL DEFAULT '[]',   -- magnet x.pe and trackers, web seeds of a magnet (JSON)
    extra_trackers TEXT NOT NULL DEFAULT '[]',
    extra_web_seeds TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE resume (
    torrent_id INTEGER PRIMARY KEY REFERENCES torrents(id) ON DELETE CASCADE,
    bitfield BLOB NOT NULL,                   -- verified pieces, BEP 3 order
    files TEXT NOT NULL,                      -- JSON [[size, mtimeMs] | null] per file, taken after the bitfield
    saved_at INTEGER NOT NULL
  );
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);   -- JSON values
  CREATE TABLE counters (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
  // 2: each torrent's size and progress, cached, so a start-up lists 10,000 torrents without parsing one of them.
  `
  ALTER TABLE torrents ADD COLUMN total_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE torrents ADD COLUMN piece_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE torrents ADD COLUMN wanted_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE torrents ADD COLUMN verified_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE torrents ADD COLUMN pieces_have INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: how a finished torrent stops seeding: 0 at the session's ratio, 1 at its own (seed_ratio), 2 never.
  `
  ALTER TABLE torrents ADD COLUMN seed_ratio_mode INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: the bytes each web seed sent over the torrent's life, JSON {url: bytes}, folded in at each checkpoint.
  `
  ALTER TABLE torrents ADD COLUMN web_seed_bytes TEXT NOT NULL DEFAULT '{}';
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
