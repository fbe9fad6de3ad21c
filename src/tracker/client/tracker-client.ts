// The announce scheduler the engine consumes: BEP 12 tiers, re-announces on `interval`, `min interval` for extra
// announces, started / completed / stopped events, and backoff after failures. A failing tracker is reported as
// an 'error' event and retried; it never throws into the engine, so a download with other sources goes on.
import { randomBytes } from 'node:crypto';
import { CLIENT_DEFAULTS } from '../defaults.js';
import { TrackerError } from '../errors.js';
import type { AnnounceEvent, AnnounceRequest, AnnounceResponse, PeerAddress, ScrapeEntry } from '../types.js';
import { systemClock, TypedEmitter, type Clock } from './emitter.js';
import { httpAnnounce, httpScrape } from './http-client.js';
import { UdpTrackerClient } from './udp-client.js';

export interface TrackerClientEvents extends Record<string, unknown> {
  /** Peers from a successful announce. */
  peers: { url: string; peers: PeerAddress[] };
  /** Every successful announce, with the whole response (counts, interval). */
  announce: { url: string; event: AnnounceEvent; response: AnnounceResponse };
  /** A tracker's `warning message`: the announce still worked. */
  warning: { url: string; message: string };
  /** One tracker failed (its `failure reason`, a timeout...). Not fatal: the next tracker or a later retry follows. */
  error: { url: string; error: TrackerError };
}

export interface TrackerClientInit {
  infoHash: Buffer;
  peerId: Buffer;
  port: number;
  /** BEP 12 announce-list: tiers of announce URLs (http(s):// or udp://). A plain `announce` is one tier of one. */
  tiers: string[][];
  numwant?: number;
  udpRetryBaseMs?: number;
  udpMaxRetries?: number;
  httpTimeoutMs?: number;
  failureRetryBaseMs?: number;
  failureRetryMaxMs?: number;
  stopTimeoutMs?: number;
}

export interface TrackerClientComponents {
  /** What to report: bytes uploaded and downloaded this session, and bytes left. */
  stats: () => { uploaded: number; downloaded: number; left: number };
  clock?: Clock;
  /** For the BEP 12 shuffle; tests pass a fixed one. */
  random?: () => number;
}

export class TrackerClient extends TypedEmitter<TrackerClientEvents> {
  private readonly tiers: string[][];
  private readonly clock: Clock;
  private readonly key = randomBytes(4).readUInt32BE(0);
  private readonly udpClients = new Map<string, UdpTrackerClient>();
  /** Trackers that were sent `started` and have not been sent `stopped` (BEP 3: those that know us). */
  private readonly started = new Set<string>();
  private readonly trackerIds = new Map<string, string>();
  private timer: unknown;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private controller = new AbortController();
  private pendingCompleted = false;
  private failures = 0;
  private lastAnnounceMs = -Infinity;
  private minIntervalMs: number = CLIENT_DEFAULTS.minIntervalFloorMs;
  /** When the next cycle is due (clock ms), and the tracker being asked now. */
  private nextCycleMs: number | undefined;
  private announcing: string | undefined;

  constructor(
    private readonly init: TrackerClientInit,
    private readonly components: TrackerClientComponents,
  ) {
    super();
    const random = components.random ?? Math.random;
    // BEP 12: shuffle each tier once, at the start.
    this.tiers = init.tiers.filter((t) => t.length > 0).map((t) => shuffle([...t], random));
    this.clock = components.clock ?? systemClock;
  }

  /** Sends `started` now and keeps announcing until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    this.schedule(0);
  }

  /** Tells the trackers the download is complete (BEP 3 `completed`), at once. */
  completed(): void {
    this.pendingCompleted = true;
    if (this.running) this.schedule(0);
  }

  /**
   * Asks for more peers now, but not sooner than the tracker's `min interval` after the last announce. A person's
   * explicit request (`manual`) waits only for our own floor (5 s): libtorrent's `ignore_min_interval`, so a user
   * is not told to wait 15 minutes, while a held-down button still cannot hammer the tracker.
   */
  announceNow(manual = false): void {
    if (!this.running) return;
    const gapMs = manual ? CLIENT_DEFAULTS.minIntervalFloorMs : this.minIntervalMs;
    this.schedule(Math.max(0, this.lastAnnounceMs + gapMs - this.clock.now()));
  }

  /**
   * Stops announcing and sends `stopped` to every tracker that was sent `started`, waiting at most stopTimeoutMs
   * (call it on Ctrl-C too). Never throws.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.nextCycleMs = undefined;
    this.controller.abort();
    await this.inFlight?.catch(() => {});
    const deadline = new AbortController();
    const t = this.clock.setTimeout(() => deadline.abort(), this.init.stopTimeoutMs ?? CLIENT_DEFAULTS.stopTimeoutMs);
    await Promise.allSettled([...this.started].map((url) => this.announceTo(url, 'stopped', deadline.signal)));
    this.clock.clearTimeout(t);
    this.started.clear();
    for (const c of this.udpClients.values()) c.close();
    this.udpClients.clear();
  }

  /** Scrapes the first tracker that answers, tier by tier. */
  async scrape(signal?: AbortSignal): Promise<ScrapeEntry | undefined> {
    for (const url of this.tiers.flat()) {
      try {
        const entries = url.startsWith('udp:') ? await this.udp(url).scrape([this.init.infoHash], signal) : await httpScrape(url, [this.init.infoHash], { signal, timeoutMs: this.init.httpTimeoutMs });
        return entries.find((e) => e.infoHash.equals(this.init.infoHash));
      } catch (err) {
        this.emit('error', { url, error: asTrackerError(err) });
      }
    }
    return undefined;
  }

  /**
   * Where the scheduler stands, for a face: the tracker being asked now, and the tracker the next cycle asks
   * first (BEP 12: the first of the first tier; the others only if it fails) with when (clock ms).
   */
  status(): { announcing?: string; next?: { url: string; atMs: number } } {
    const first = this.tiers[0]?.[0];
    const next = this.running && this.nextCycleMs !== undefined && first !== undefined ? { url: first, atMs: this.nextCycleMs } : undefined;
    return { announcing: this.announcing, next };
  }

  private schedule(delayMs: number): void {
    this.clock.clearTimeout(this.timer);
    this.nextCycleMs = this.clock.now() + delayMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.nextCycleMs = undefined;
      if (this.inFlight) return this.schedule(10);
      this.inFlight = this.cycle().finally(() => (this.inFlight = undefined));
    }, delayMs);
  }

  /** BEP 12: try the trackers of the first tier in order, then the next tier; the one that answers moves to the front. */
  private async cycle(): Promise<void> {
    const wantCompleted = this.pendingCompleted;
    for (const tier of this.tiers) {
      for (let i = 0; i < tier.length; i++) {
        if (!this.running) return;
        const url = tier[i]!;
        const event: AnnounceEvent = !this.started.has(url) ? 'started' : wantCompleted ? 'completed' : 'none';
        let res: AnnounceResponse;
        this.announcing = url;
        try {
          res = await this.announceTo(url, event, this.controller.signal);
        } catch {
          continue; // reported as an 'error' event by announceTo
        } finally {
          this.announcing = undefined;
        }
        tier.splice(i, 1);
        tier.unshift(url);
        if (wantCompleted && event === 'completed') this.pendingCompleted = false;
        this.failures = 0;
        this.lastAnnounceMs = this.clock.now();
        const intervalMs = clamp((res.intervalS || CLIENT_DEFAULTS.fallbackIntervalMs / 1000) * 1000, CLIENT_DEFAULTS.minIntervalFloorMs, CLIENT_DEFAULTS.maxIntervalMs);
        this.minIntervalMs = clamp((res.minIntervalS ?? 0) * 1000, CLIENT_DEFAULTS.minIntervalFloorMs, intervalMs);
        // A `started` that worked still owes the tracker a `completed` if one is pending: send it at once.
        if (this.running) this.schedule(this.pendingCompleted ? 0 : intervalMs);
        return;
      }
    }
    if (!this.running) return;
    const base = this.init.failureRetryBaseMs ?? CLIENT_DEFAULTS.failureRetryBaseMs;
    this.schedule(Math.min(base * 2 ** this.failures++, this.init.failureRetryMaxMs ?? CLIENT_DEFAULTS.failureRetryMaxMs));
  }

  private async announceTo(url: string, event: AnnounceEvent, signal: AbortSignal): Promise<AnnounceResponse> {
    const s = this.components.stats();
    const req: AnnounceRequest = { infoHash: this.init.infoHash, peerId: this.init.peerId, port: this.init.port, ...s, event, key: this.key, numwant: event === 'stopped' ? 0 : this.init.numwant ?? CLIENT_DEFAULTS.numwant, compact: true };
    const trackerId = this.trackerIds.get(url);
    if (trackerId !== undefined) req.trackerId = trackerId;
    try {
      const res = url.startsWith('udp:') ? await this.udp(url).announce(req, signal) : await httpAnnounce(url, req, { signal, timeoutMs: this.init.httpTimeoutMs });
      if (event === 'started') this.started.add(url);
      if (event === 'stopped') this.started.delete(url);
      if (res.trackerId !== undefined) this.trackerIds.set(url, res.trackerId);
      if (res.warning) this.emit('warning', { url, message: res.warning });
      this.emit('announce', { url, event, response: res });
      if (res.peers.length > 0) this.emit('peers', { url, peers: res.peers });
      return res;
    } catch (err) {
      const error = asTrackerError(err);
      if (error.code !== 'TRACKER_ABORTED' && error.code !== 'TRACKER_STOPPED') this.emit('error', { url, error });
      throw error;
    }
  }

  private udp(url: string): UdpTrackerClient {
    let c = this.udpClients.get(url);
    if (!c) {
      c = new UdpTrackerClient(url, { retryBaseMs: this.init.udpRetryBaseMs, maxRetries: this.init.udpMaxRetries, clock: this.clock });
      this.udpClients.set(url, c);
    }
    return c;
  }
}

function asTrackerError(err: unknown): TrackerError {
  return err instanceof TrackerError ? err : new TrackerError('TRACKER_UNREACHABLE', (err as Error).message ?? String(err), 'runtime', { cause: err });
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function shuffle<T>(a: T[], random: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
