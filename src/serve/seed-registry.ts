/**
 * The torrents of `serve --seed`: one per served file (above a minimum size), made in the background on the
 * file's first request by a bounded queue, cached on disk and in memory, and seeded by the server's own peer
 * with the file's URL as web seed (BEP 19) and the server's mounted tracker as announce URL. The HTTP server asks
 * it, through `FileHooks`, for the `Link` header of a file and for the torrent at `?torrent`.
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createTorrent } from '../metainfo/index.js';
import { errorReply, torrentLinkHeader, TORRENT_MEDIA_TYPE, TORRENT_QUERY, type FileHooks, type Reply, type RequestInfo, type ServedFile } from '../http/index.js';
import { PeerListener, DEFAULT_CONFIG, Torrent, type SwarmConfig, type TokenBucket } from '../swarm/index.js';
import { SEED_DEFAULTS } from './defaults.js';
import { ReadOnlyFileStorage } from './read-only-storage.js';
import { describesFile, restamp, seedCacheKey, TorrentDiskCache, type CachedTorrent } from './torrent-cache.js';
import { ANNOUNCE_PATH, MountedTracker } from './tracker-mount.js';

export interface SeedRegistryInit {
  /** Where made torrents are kept between runs; must be outside the served folder. */
  cacheDir: string;
  /** The HTTP server's base URL, ending in `/`: web seeds are `${baseUrl}path`, the tracker `${baseUrl}announce`. */
  baseUrl: string;
  /** Where the server's peer listens (port 0 picks one). */
  peerHosts: string[];
  peerPort: number;
  minFileBytes?: number;
  /** Piece length of the torrents made (`isPieceLength`); undefined: chosen from each file's size (autoPieceLength). */
  pieceLengthBytes?: number;
  maxSeededTorrents?: number;
  concurrentCreates?: number;
  hashWorkers?: number;
  /** Peer-engine settings of the server's own seeds (a compute project's gives fewer upload slots, for one). */
  swarm?: Partial<SwarmConfig>;
}

export interface SeedRegistryComponents {
  /** The shared upload allowance (`--upload-limit`): peer uploads draw on it as HTTP bodies do. */
  uploadBucket?: TokenBucket;
  onEvent?: (event: SeedEvent) => void;
}

export type SeedEvent =
  | { event: 'seed:ready'; path: string; infoHash: string; fromCache: boolean }
  | { event: 'seed:retired'; path: string; infoHash: string; reason: string }
  | { event: 'seed:warning'; path: string; message: string };

type EntryState = 'queued' | 'making' | 'ready' | 'failed';

interface Entry {
  key: string;
  realPath: string;
  urlPath: string;
  size: number;
  state: EntryState;
  torrent?: CachedTorrent;
  seed?: Torrent;
  lastUsedMs: number;
}

export class SeedRegistry {
  /** Torrents made by hashing, and torrents found in the disk cache (tests read these). */
  readonly counters = { made: 0, fromCache: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly byInfoHash = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private making = 0;
  private retiredPeerBytes = 0;
  private readonly disk: TorrentDiskCache;
  private readonly tracker: MountedTracker;
  private listener?: PeerListener;
  private stopped = false;
  /** Aborts torrents being hashed when the server stops. */
  private readonly abort = new AbortController();

  constructor(
    private readonly init: SeedRegistryInit,
    private readonly components: SeedRegistryComponents = {},
  ) {
    this.disk = new TorrentDiskCache(init.cacheDir);
    this.tracker = new MountedTracker((h) => {
      const seed = this.byInfoHash.get(h.toString('hex'))?.seed;
      return seed ? { peerId: seed.peerId, port: this.peerPort } : undefined;
    });
  }

  get announceUrl(): string {
    return new URL(ANNOUNCE_PATH, this.init.baseUrl).href;
  }

  get peerPort(): number {
    return this.listener?.port ?? 0;
  }

  /** Bytes the server's peers have uploaded, retired torrents included. */
  get peerBytesSent(): number {
    let sum = this.retiredPeerBytes;
    for (const e of this.entries.values()) sum += e.seed?.upMeter.total ?? 0;
    return sum;
  }

  async start(): Promise<void> {
    this.listener = new PeerListener({ hosts: this.init.peerHosts, port: this.init.peerPort, handshakeTimeoutMs: DEFAULT_CONFIG.handshakeTimeoutMs });
    await this.listener.start();
    this.tracker.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.abort.abort();
    await Promise.all([...this.entries.values()].map((e) => this.retire(e, 'server stopping')));
    await this.tracker.stop();
    await this.listener?.stop();
  }

  /** The file server's pre-route: the mounted tracker. */
  route(req: RequestInfo): Promise<Reply | undefined> {
    return this.tracker.route(req);
  }

  readonly fileHooks: FileHooks = {
    headers: (file) => {
      const e = this.entryFor(file);
      return e?.state === 'ready' ? { link: torrentLinkHeader(`${file.urlPath}?${TORRENT_QUERY}`) } : undefined;
    },
    describedBy: (file, req) => this.torrentReply(file, req),
  };

  private torrentReply(file: ServedFile, req: RequestInfo): Reply | undefined {
    const e = this.entryFor(file);
    if (!e || e.state === 'failed') return undefined;
    if (e.state !== 'ready') {
      // RFC 9110 §15.6.4: the torrent is being made; ask again shortly.
      const busy = errorReply(503, req);
      busy.headers['retry-after'] = String(SEED_DEFAULTS.retryAfterS);
      return busy;
    }
    const data = e.torrent!.bytes;
    // RFC 6266 §4.3: filename* carries any name (UTF-8, percent-encoded), where a plain filename could not.
    const disposition = `attachment; filename*=UTF-8''${encodeURIComponent(basename(e.realPath) + '.torrent')}`;
    const headers = { 'content-type': TORRENT_MEDIA_TYPE, 'content-length': String(data.length), 'content-disposition': disposition, 'cache-control': 'no-cache' };
    return { status: 200, headers, body: req.method === 'HEAD' ? { kind: 'none' } : { kind: 'bytes', data } };
  }

  /** The entry of a file as it is now, queued for making if new; undefined when it gets no torrent. */
  private entryFor(file: ServedFile): Entry | undefined {
    if (this.stopped || file.identity.size < (this.init.minFileBytes ?? SEED_DEFAULTS.minFileBytes)) return undefined;
    const key = seedCacheKey(file.realPath, file.identity);
    const known = this.entries.get(file.realPath);
    if (known?.key === key) {
      known.lastUsedMs = Date.now();
      return known;
    }
    // The file changed since its torrent was made: that torrent no longer matches the bytes, so it goes.
    if (known) void this.retire(known, 'the file changed');
    if (this.queue.length >= SEED_DEFAULTS.maxQueuedCreates) return undefined;
    const e: Entry = { key, realPath: file.realPath, urlPath: file.urlPath, size: file.identity.size, state: 'queued', lastUsedMs: Date.now() };
    this.entries.set(file.realPath, e);
    this.queue.push(e);
    this.pump();
    return e;
  }

  private pump(): void {
    while (!this.stopped && this.making < (this.init.concurrentCreates ?? SEED_DEFAULTS.concurrentCreates) && this.queue.length > 0) {
      const e = this.queue.shift()!;
      if (this.entries.get(e.realPath) !== e) continue;
      this.making++;
      void this.make(e).finally(() => {
        this.making--;
        this.pump();
      });
    }
  }

  private async make(e: Entry): Promise<void> {
    e.state = 'making';
    try {
      const made = await this.loadOrCreate(e);
      if (!made || this.entries.get(e.realPath) !== e || this.stopped) return;
      e.torrent = restamp(made.torrent, this.announceUrl, new URL(e.urlPath.slice(1), this.init.baseUrl).href);
      await this.startSeed(e);
      e.state = 'ready';
      this.emit({ event: 'seed:ready', path: e.realPath, infoHash: e.seed!.infoHash.toString('hex'), fromCache: made.fromCache });
      this.evictBeyondCap();
    } catch (err) {
      e.state = 'failed';
      if (!this.stopped) this.emit({ event: 'seed:warning', path: e.realPath, message: `no torrent: ${(err as Error).message}` });
    }
  }

  /** The disk cache's torrent for the entry, or a new one (saved there); undefined when the file changed meanwhile. */
  private async loadOrCreate(e: Entry): Promise<{ torrent: CachedTorrent; fromCache: boolean } | undefined> {
    const cached = await this.disk.load(e.key);
    const pieceLength = this.init.pieceLengthBytes;
    // A torrent cached with another piece length (the option changed since) is made again.
    if (cached && describesFile(cached.metainfo, basename(e.realPath), e.size) && (pieceLength === undefined || cached.metainfo.pieceLengthBytes === pieceLength)) {
      this.counters.fromCache++;
      return { torrent: cached, fromCache: true };
    }
    const webSeed = new URL(e.urlPath.slice(1), this.init.baseUrl).href;
    const created = await createTorrent(e.realPath, { version: 'v1', pieceLengthBytes: pieceLength, trackers: [this.announceUrl], webSeeds: [webSeed], workers: this.init.hashWorkers ?? SEED_DEFAULTS.hashWorkers, createdBy: 'tandem serve --seed', signal: this.abort.signal });
    const now = await stat(e.realPath);
    // Hashed while it was being written: the torrent may mix old and new bytes, so it is dropped (the next request retries).
    if (seedCacheKey(e.realPath, { size: now.size, mtimeMs: now.mtimeMs, ino: now.ino }) !== e.key) {
      if (this.entries.get(e.realPath) === e) this.entries.delete(e.realPath);
      return undefined;
    }
    this.counters.made++;
    await this.disk.save(e.key, created.bytes).catch((err: Error) => this.emit({ event: 'seed:warning', path: e.realPath, message: `cannot cache the torrent: ${err.message}` }));
    return { torrent: created, fromCache: false };
  }

  private async startSeed(e: Entry): Promise<void> {
    const meta = e.torrent!.metainfo;
    const seed = new Torrent(
      // trustData: the torrent was just made from (or cached for) these exact bytes, so nothing is re-hashed.
      { metainfo: meta, dir: join(this.init.cacheDir, 'state'), trustData: true, config: this.init.swarm },
      { listener: this.listener, storage: (m) => new ReadOnlyFileStorage(e.realPath, m), uploadBucket: this.components.uploadBucket },
    );
    seed.on('error', ({ error }) => void this.retire(e, error.message));
    await seed.start();
    e.seed = seed;
    // The mounted tracker names this peer in its answers itself (MountedTracker), so the seed never announces.
    this.byInfoHash.set(seed.infoHash.toString('hex'), e);
  }

  /** Beyond the cap, the least recently requested torrents stop seeding (they are made again from the cache). */
  private evictBeyondCap(): void {
    const ready = [...this.entries.values()].filter((x) => x.state === 'ready');
    const excess = ready.length - (this.init.maxSeededTorrents ?? SEED_DEFAULTS.maxSeededTorrents);
    if (excess <= 0) return;
    ready.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
    for (const e of ready.slice(0, excess)) void this.retire(e, 'least recently requested');
  }

  private async retire(e: Entry, reason: string): Promise<void> {
    if (this.entries.get(e.realPath) === e) this.entries.delete(e.realPath);
    const seed = e.seed;
    e.seed = undefined;
    if (!seed) return;
    this.byInfoHash.delete(seed.infoHash.toString('hex'));
    this.retiredPeerBytes += seed.upMeter.total;
    this.emit({ event: 'seed:retired', path: e.realPath, infoHash: seed.infoHash.toString('hex'), reason });
    await seed.stop();
  }

  private emit(event: SeedEvent): void {
    this.components.onEvent?.(event);
  }
}
