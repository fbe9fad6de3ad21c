/** Every default of `serve --seed`, in one place, units in the names (DESIGN.md §5). */
export const SEED_DEFAULTS = {
  /** Files smaller than this get no torrent: a swarm costs more than it saves for them. */
  minFileBytes: 1024 * 1024,
  /** Torrents seeded at once; the least recently requested one is retired beyond this. */
  maxSeededTorrents: 64,
  /** Torrents made at once (each hashes with `hashWorkers` threads), so first requests cannot flood the CPU. */
  concurrentCreates: 1,
  hashWorkers: 2,
  /** Files waiting for a torrent; requests beyond this get none until the queue drains. */
  maxQueuedCreates: 256,
  /** The mounted tracker asks clients to re-announce this often: a download of one file is short. */
  announceIntervalS: 120,
  minAnnounceIntervalS: 30,
  /** A peer that has not announced for two intervals and a bit is dropped. */
  peerTtlMs: 2 * 120_000 + 30_000,
  sweepEveryMs: 30_000,
  /** `Retry-After` of the 503 answered for a torrent still being made. */
  retryAfterS: 2,
  /** Under $XDG_CACHE_HOME (or ~/.cache): where made torrents are kept between runs. */
  cacheSubdir: 'tandem/seed-torrents',
} as const;
