/**
 * `serve --seed`: a file server whose files are also torrents. For each served file (1 MiB and up by default) a v1
 * torrent is made in the background on first request, cached on disk keyed by path, size, mtime and inode, and
 * offered at `/path/file?torrent`, named by the file's `Link: </path/file?torrent>; rel="describedby";
 * type="application/x-bittorrent"` header. The torrent's web seed (BEP 19) is the file's own URL and its tracker
 * is mounted at `/announce` on the same port; the server's peer seeds it without re-hashing.
 *
 * @example
 *   const server = new SeedingFileServer({ http: { root: '.', port: 8080 }, cacheDir: defaultSeedCacheDir() });
 *   await server.start();
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SEED_DEFAULTS } from './defaults.js';

export { SeedingFileServer, type SeedingServerInit, type SentBytes } from './seed-server.js';
export { SeedRegistry, type SeedEvent, type SeedRegistryInit } from './seed-registry.js';
export { seedCacheKey, restamp, describesFile, TorrentDiskCache } from './torrent-cache.js';
export { ANNOUNCE_PATH } from './tracker-mount.js';
export { SeedError, type SeedErrorCode } from './errors.js';
export { SEED_DEFAULTS } from './defaults.js';
export { WorkerPool, isServeWorker, reportToPrimary, stopRequested, type WorkerMessage } from './worker-pool.js';

/** `$XDG_CACHE_HOME/tandem/seed-torrents`, else `~/.cache/tandem/seed-torrents`. */
export function defaultSeedCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, SEED_DEFAULTS.cacheSubdir);
}
