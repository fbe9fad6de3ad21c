/**
 * Web seeds inside the swarm (BEP 19): the thin shell between a torrent and its `WebSeed` clients. The policy
 * (`webseed-policy.ts`) says which piece a seed may be asked for; this file starts those fetches, hands the
 * pieces to the torrent's verify-and-write path (`Downloader.acceptPiece`, SHA-1 as for peers), counts their bytes
 * in the download meter and the download limit, aborts a fetch when peers deliver the piece first, and stops
 * every request when the torrent stops.
 *
 * Peers come first: the seed gets pieces no peer has, pieces peers leave waiting past the grace period, or
 * anything when no peer is useful. The number of requests in flight to one seed is capped by the `WebSeed`
 * itself (`maxRequestsPerSeed`), so a crowd of clients cannot overload the origin.
 */
import type { Metainfo } from '../metainfo/index.js';
import { loadModule } from '../util/load-module.js';
import type { WebSeed } from '../webseed/client.js';
import { WEBSEED_DEFAULTS } from '../webseed/defaults.js';
import { WebSeedError } from '../webseed/errors.js';
import { TypedEmitter } from './events.js';
import { WebSeedPolicy, type WebSeedView } from './webseed-policy.js';
import type { SwarmContext } from './swarm-context.js';
import type { WebSeedsInit } from './types.js';

export interface WebSeedsEvents {
  /** A seed failed in a way the user should know; said once per seed and kind of failure, never a flood. */
  'warning': { url: string; code: string; message: string };
}

/** What the web seeds did for this torrent. */
export interface WebSeedsStats {
  /** Pieces from web seeds that passed their hash and were written. */
  pieces: number;
  /** Pieces from web seeds that failed their hash (each one backs its seed off). */
  badPieces: number;
  /** Seed fetches stopped because peers delivered the piece first. */
  lostToPeers: number;
  /** Fetches given to a seed for a piece peers had been asked for and left idle past the grace period. */
  takenFromIdlePeers: number;
}

interface Fetch {
  seed: WebSeed;
  controller: AbortController;
  startedMs: number;
  /** Also offered to peers because the seed was slow: the picker's mark then belongs to the peers' side. */
  shared: boolean;
}

export class WebSeeds extends TypedEmitter<WebSeedsEvents> {
  /** Bytes received from web seeds (verified or not), also counted in the torrent's download meter. */
  bytes = 0;
  /** The same bytes by seed URL. */
  private readonly bytesBySeed = new Map<string, number>();
  readonly stats: WebSeedsStats = { pieces: 0, badPieces: 0, lostToPeers: 0, takenFromIdlePeers: 0 };
  private seeds: WebSeed[] = [];
  private readonly fetches = new Map<number, Fetch>();
  private readonly warned = new Set<string>();
  private readonly policy: WebSeedPolicy;
  private limitTimer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly t: SwarmContext,
    private readonly init: WebSeedsInit = {},
  ) {
    super();
    this.policy = new WebSeedPolicy({ graceMs: t.config.webSeedGraceMs, maxBlockerChecks: 64 });
  }

  /** The seeds in use (empty before metadata, with `enabled: false`, or when the torrent names none). */
  get urls(): string[] {
    return this.seeds.map((s) => s.url);
  }

  get inFlight(): number {
    return this.fetches.size;
  }

  /** Each seed in use with the bytes it sent and the pieces it is fetching now. */
  perSeed(): { url: string; bytes: number; inFlight: number }[] {
    return this.seeds.map((s) => ({ url: s.url, bytes: this.bytesBySeed.get(s.url) ?? 0, inFlight: s.health.inFlight }));
  }

  /** With metadata known and pieces still wanted: one client per seed URL, then the first requests. */
  async start(meta: Metainfo): Promise<void> {
    if (this.running || this.init.enabled === false || !meta.pieces) return;
    const urls = [...new Set([...meta.urlList, ...(this.init.urls ?? [])])];
    if (urls.length === 0) return;
    const maxInFlight = this.init.maxRequestsPerSeed ?? WEBSEED_DEFAULTS.maxInFlightPerSeed;
    // The HTTP(S) client is loaded only for a torrent that has web seeds: with node:https it costs a start-up that
    // a torrent without any (every `tandem get` of the lab's p2p mode) would pay for nothing.
    const { WebSeed } = loadModule<typeof import('../webseed/client.js')>('../webseed/client.js', import.meta.url);
    for (const url of urls) {
      try {
        this.seeds.push(new WebSeed({ url, meta, maxInFlight }));
      } catch (err) {
        this.warnOnce(url, err);
      }
    }
    if (this.seeds.length === 0) return;
    this.running = true;
    await Promise.all(this.seeds.map((s) => s.start()));
    this.fill();
  }

  /** Called on the torrent's tick: slow fetches are offered to peers too, and due pieces go to free seeds. */
  tick(nowMs: number): void {
    if (!this.running || !this.t.picker) return;
    // Done: the seeds' keep-alive sockets are closed rather than held open while we only seed.
    if (this.t.isDone) return void this.stopSeeds();
    const useful = this.usefulPeers();
    for (const [index, f] of this.fetches) {
      if (f.shared || !this.policy.shouldShare(f.startedMs, nowMs, this.t.picker.availabilityOf(index), useful)) continue;
      f.shared = true;
      this.t.picker.unstart(index);
    }
    if (this.fetches.size > 0) for (const p of this.t.peers.values()) this.t.downloader.requestMore(p);
    this.fill();
  }

  /** A piece is verified on disk (from whichever source): a seed still fetching it is stopped, its slot freed. */
  pieceVerified(index: number): void {
    const f = this.fetches.get(index);
    if (!f) return;
    this.fetches.delete(index);
    this.stats.lostToPeers++;
    f.controller.abort();
  }

  /** Aborts every request, waits for them, closes the seeds' sockets. */
  async stop(): Promise<void> {
    await this.stopSeeds();
    this.removeAllListeners();
  }

  private async stopSeeds(): Promise<void> {
    this.running = false;
    clearTimeout(this.limitTimer);
    for (const f of this.fetches.values()) f.controller.abort();
    this.fetches.clear();
    await Promise.all(this.seeds.map((s) => s.stop()));
  }

  /** Gives every seed with a free slot the piece the policy names, until none is due. */
  private fill(): void {
    const t = this.t;
    if (!this.running || t.state !== 'downloading' || !t.picker || !t.layout) return;
    const now = Date.now();
    const useful = this.usefulPeers();
    for (const seed of this.seeds) {
      // The cap is the seed's own (its health policy); a backed-off seed is not scanned at all.
      while (seed.health.inFlight < seed.health.options.maxInFlight && seed.health.retryAtMs <= now) {
        const index = this.policy.choose(this.view(seed, useful), now);
        if (index === undefined) break;
        if (!this.launch(seed, index, now)) return;
      }
    }
  }

  private view(seed: WebSeed, usefulPeers: number): WebSeedView {
    const picker = this.t.picker!;
    return {
      pieceCount: picker.pieceCount,
      wanted: (i) => picker.wanted(i),
      // Started but not partial: a seed's piece, or one being verified or written.
      busy: (i) => this.fetches.has(i) || (picker.isStarted(i) && !this.t.requester!.hasPartial(i)),
      peerActivityMs: (i) => this.t.requester!.lastActivityMs(i),
      holders: (i) => picker.availabilityOf(i),
      usefulPeers,
      blocker: (i) => seed.blocker(i),
    };
  }

  /** Peers that unchoked us and have something we want. */
  private usefulPeers(): number {
    let n = 0;
    for (const p of this.t.peers.values()) if (!p.peerChoking && p.amInterested) n++;
    return n;
  }

  /** Starts one fetch; false when the download limit says to wait (a timer fills again later). */
  private launch(seed: WebSeed, index: number, now: number): boolean {
    const t = this.t;
    // --download-limit covers web seeds too: a piece is asked for only while the bucket is not in debt.
    const waitMs = t.downBucket.tryTake(t.layout!.pieceSize(index), now);
    if (waitMs > 0) {
      clearTimeout(this.limitTimer);
      this.limitTimer = setTimeout(() => this.fill(), waitMs).unref();
      return false;
    }
    // A piece peers were asked for (and left idle) stays theirs too: shared from the start.
    const shared = t.requester!.hasPartial(index);
    if (shared) this.stats.takenFromIdlePeers++;
    const f: Fetch = { seed, controller: new AbortController(), startedMs: now, shared };
    this.fetches.set(index, f);
    if (!shared) t.picker!.markStarted(index);
    seed.fetchPiece(index, { signal: f.controller.signal }).then(
      (data) => this.arrived(f, index, data),
      (err: unknown) => this.failed(f, index, err),
    );
    return true;
  }

  private arrived(f: Fetch, index: number, data: Buffer): void {
    const t = this.t;
    if (this.fetches.get(index) !== f) return;
    this.fetches.delete(index);
    if (!this.running) return;
    this.bytes += data.length;
    this.bytesBySeed.set(f.seed.url, (this.bytesBySeed.get(f.seed.url) ?? 0) + data.length);
    t.downMeter.add(data.length, Date.now());
    const result = t.downloader.acceptPiece(index, data);
    if (result === 'ok') {
      this.stats.pieces++;
      // Peers sharing the piece lose their copy (their requests are cancelled); it stays marked until on disk.
      if (f.shared && t.requester?.hasPartial(index)) this.cancelPeers(index);
      t.picker!.markStarted(index);
    } else if (result === 'bad') {
      this.stats.badPieces++;
      f.seed.reportBadPiece();
      this.warnOnce(f.seed.url, new WebSeedError('WEBSEED_HASH', `${f.seed.url}: piece ${index} does not match its SHA-1; backing off`));
      this.release(f, index);
    }
    this.fill();
  }

  private failed(f: Fetch, index: number, err: unknown): void {
    if (this.fetches.get(index) !== f) return;
    this.fetches.delete(index);
    if (!this.running) return;
    this.release(f, index);
    const code = err instanceof WebSeedError ? err.code : '';
    // Unavailable and aborted are "ask elsewhere", not faults; every other failure already backed the seed off.
    if (code !== 'WEBSEED_UNAVAILABLE' && code !== 'WEBSEED_ABORTED') this.warnOnce(f.seed.url, err);
    this.fill();
  }

  private cancelPeers(index: number): void {
    const t = this.t;
    for (const { peer, request } of t.requester!.abandon(index)) t.peers.get(peer)?.conn.send({ type: 'cancel', ...request });
    for (const p of t.peers.values()) t.downloader.requestMore(p);
  }

  /** The piece goes back to the picker, unless peers already took it over. */
  private release(f: Fetch, index: number): void {
    if (!f.shared && !this.t.requester?.hasPartial(index)) this.t.picker?.unstart(index);
    for (const p of this.t.peers.values()) this.t.downloader.requestMore(p);
  }

  private warnOnce(url: string, err: unknown): void {
    const code = err instanceof WebSeedError ? err.code : 'WEBSEED_NETWORK';
    if (this.warned.has(`${url} ${code}`)) return;
    this.warned.add(`${url} ${code}`);
    const message = err instanceof Error ? err.message : String(err);
    const why = code === 'WEBSEED_MISSING' ? ' (not asked again for that file)' : code === 'WEBSEED_URL' ? '' : ' (backing off; further failures of this kind are not shown)';
    this.emit('warning', { url, code, message: `web seed ${message}${why}` });
  }
}
