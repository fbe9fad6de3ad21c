/**
 * `tandem serve --seed`: the HTTP file server with, for each served file, a torrent that names the file's own URL as
 * web seed, a tracker mounted on the same port, and the server's peer seeding it. HTTP bodies and peer uploads
 * draw on one upload allowance, so `--upload-limit` caps what the server sends in total.
 *
 * @example
 *   const server = new SeedingFileServer({ http: { root: './public', port: 8080 }, cacheDir: '/var/cache/tandem', uploadLimitBytesPerSec: 2 << 20 });
 *   const { url } = await server.start();   // GET/HEAD of a file soon carry `Link: <...?torrent>; rel="describedby"`
 *   await server.stop();
 */
import { realpath } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import { HttpFileServer, type HttpServerOptions, type FileHooks } from '../http/index.js';
import { TokenBucket } from '../swarm/index.js';
import { SeedError } from './errors.js';
import { SeedRegistry, type SeedEvent, type SeedRegistryInit } from './seed-registry.js';

export interface SeedingServerInit {
  http: Omit<HttpServerOptions, 'sendBudget' | 'preRoute' | 'files'>;
  cacheDir: string;
  /** Total upload cap for HTTP bodies and peers together; 0 or absent means none. */
  uploadLimitBytesPerSec?: number;
  /** The URL clients reach the server at (behind a proxy or on 0.0.0.0); the listening address by default. */
  publicUrl?: string;
  /** Where the peer listens: the HTTP host by default, any free port. */
  peerHosts?: string[];
  peerPort?: number;
  seed?: Omit<SeedRegistryInit, 'cacheDir' | 'baseUrl' | 'peerHosts' | 'peerPort'>;
  onEvent?: (event: SeedEvent) => void;
}

export interface SentBytes {
  httpBodyBytes: number;
  peerBytes: number;
}

export class SeedingFileServer {
  readonly http: HttpFileServer;
  registry?: SeedRegistry;
  private readonly budget?: TokenBucket;

  constructor(private readonly init: SeedingServerInit) {
    this.budget = init.uploadLimitBytesPerSec ? new TokenBucket(init.uploadLimitBytesPerSec) : undefined;
    // The registry needs the bound address, so it comes to life after listen; until then nothing is seeded.
    const files: FileHooks = {
      headers: (file) => this.registry?.fileHooks.headers(file),
      describedBy: (file, req) => this.registry?.fileHooks.describedBy(file, req),
    };
    this.http = new HttpFileServer({ ...init.http, sendBudget: this.budget, preRoute: async (req) => this.registry?.route(req), files });
  }

  async start(): Promise<{ host: string; port: number; url: string; peerPort: number }> {
    await checkCacheOutside(this.init.cacheDir, this.init.http.root);
    const addr = await this.http.start();
    let registry: SeedRegistry | undefined;
    try {
      const baseUrl = seedBaseUrl(this.init.publicUrl, addr);
      registry = new SeedRegistry(
        { ...this.init.seed, cacheDir: this.init.cacheDir, baseUrl, peerHosts: this.init.peerHosts ?? [addr.host], peerPort: this.init.peerPort ?? 0 },
        { uploadBucket: this.budget, onEvent: this.init.onEvent },
      );
      await registry.start();
    } catch (err) {
      await registry?.stop();
      await this.http.stop();
      throw err;
    }
    this.registry = registry;
    return { ...addr, peerPort: registry.peerPort };
  }

  async stop(): Promise<void> {
    const registry = this.registry;
    await registry?.stop();
    await this.http.stop();
  }

  /** What the server sent, from its own accounting: response bodies and blocks uploaded to peers. */
  sent(): SentBytes {
    return { httpBodyBytes: this.http.bodyBytesSent, peerBytes: this.registry?.peerBytesSent ?? 0 };
  }
}

/** The base URL torrents name: `--public-url` (checked), else the bound address (refused when it is a wildcard). */
function seedBaseUrl(publicUrl: string | undefined, addr: { host: string; url: string }): string {
  if (publicUrl === undefined) {
    if (addr.host === '0.0.0.0' || addr.host === '::') throw new SeedError('SEED_CONFIG', `listening on ${addr.host}: give --public-url so torrents name an address clients can reach`, 'input');
    return addr.url;
  }
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new SeedError('SEED_CONFIG', `--public-url: "${publicUrl}" is not a URL`, 'input');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SeedError('SEED_CONFIG', `--public-url: "${publicUrl}" is not http(s)`, 'input');
  if (url.search || url.hash || url.username) throw new SeedError('SEED_CONFIG', `--public-url: "${publicUrl}" must have no query, fragment or credentials`, 'input');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/** The cache must not be served (or hashed into torrents of its own): refuse a cache folder inside the root. */
async function checkCacheOutside(cacheDir: string, root: string): Promise<void> {
  const realRoot = await realpath(root).catch(() => root);
  const realCache = await realpath(cacheDir).catch(() => cacheDir);
  const rel = relative(realRoot, realCache);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new SeedError('SEED_CONFIG', `the seed cache ${cacheDir} is inside the served folder ${root}; give --seed-cache a folder outside it`, 'input');
  }
}
