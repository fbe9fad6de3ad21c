// The tracker server: HTTP and UDP faces over one core and one swarm store, with a sweep timer that expires
// peers. One start()/stop() lifecycle (STYLE.md 15).
import { SERVER_DEFAULTS } from '../defaults.js';
import { TrackerError } from '../errors.js';
import { createStore } from '../store/index.js';
import type { StoreLimits, SwarmStore } from '../store/store.js';
import { AccessControl } from './access.js';
import { TrackerCore } from './core.js';
import { HttpTracker, type HttpTrackerOptions } from './http-server.js';
import type { Snapshot } from './metrics.js';
import { UdpTracker } from './udp-server.js';
import { SourceLimiter } from '../../util/source-limiter.js';

export interface TrackerServerInit {
  /** "HOST:PORT" pairs already split; either may be absent, not both. */
  http?: HttpTrackerOptions;
  udp?: { host: string; port: number };
  /** "memory" (the default) or "redis://HOST:PORT[/DB]". */
  store?: string;
  /**
   * A store owned by the caller instead of `store`, so that two servers (the node's HTTP and UDP trackers, started
   * and stopped apart) answer from one set of swarms. `stop()` leaves it open.
   */
  sharedStore?: SwarmStore;
  allowFile?: string;
  passkeyFile?: string;
  announceIntervalS?: number;
  minAnnounceIntervalS?: number;
  peerTtlMs?: number;
  sweepEveryMs?: number;
  maxNumwant?: number;
  maxTorrents?: number;
  maxPeersPerTorrent?: number;
  maxPeersTotal?: number;
  /** Requests per second per address; 0 turns the limit off. */
  rateLimitPerSecond?: number;
  rateLimitBurst?: number;
}

export interface TrackerAddresses {
  http?: { host: string; port: number };
  udp?: { host: string; port: number };
}

export class TrackerServer {
  private core: TrackerCore | undefined;
  private store: SwarmStore | undefined;
  private http: HttpTracker | undefined;
  private udp: UdpTracker | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly startedMs = Date.now();
  private readonly access: AccessControl;

  constructor(private readonly init: TrackerServerInit) {
    if (!init.http && !init.udp) throw new TrackerError('TRACKER_BAD_URL', 'the tracker needs --http or --udp (or both)', 'input');
    this.access = new AccessControl({ allowFile: init.allowFile, passkeyFile: init.passkeyFile });
  }

  async start(): Promise<TrackerAddresses> {
    const i = this.init;
    await this.access.reload();
    const peerTtlMs = i.peerTtlMs ?? SERVER_DEFAULTS.peerTtlMs;
    this.store = i.sharedStore ?? (await createStore(i.store ?? 'memory', trackerStoreLimits(i)));
    const core = new TrackerCore(this.store, this.access, {
      announceIntervalS: i.announceIntervalS ?? SERVER_DEFAULTS.announceIntervalS,
      minAnnounceIntervalS: i.minAnnounceIntervalS ?? Math.min(SERVER_DEFAULTS.minAnnounceIntervalS, i.announceIntervalS ?? Infinity),
      maxNumwant: i.maxNumwant ?? SERVER_DEFAULTS.maxNumwant,
      defaultNumwant: Math.min(SERVER_DEFAULTS.defaultNumwant, i.maxNumwant ?? Infinity),
    });
    this.core = core;
    // One bucket per face: a flood over UDP does not spend an address's HTTP allowance, nor the reverse.
    const perSecond = i.rateLimitPerSecond ?? SERVER_DEFAULTS.rateLimitPerSecond;
    const burst = i.rateLimitBurst ?? (i.rateLimitPerSecond === undefined ? SERVER_DEFAULTS.rateLimitBurst : 2 * perSecond);
    const limiter = (): SourceLimiter => new SourceLimiter({ perSecond, burst, maxSources: SERVER_DEFAULTS.rateLimitMaxAddresses });
    const out: TrackerAddresses = {};
    try {
      if (i.http) {
        this.http = new HttpTracker(core, limiter(), () => this.snapshot(), i.http);
        const a = await this.http.start();
        out.http = { host: a.address, port: a.port };
      }
      if (i.udp) {
        this.udp = new UdpTracker(core, limiter(), i.udp);
        const a = await this.udp.start();
        out.udp = { host: a.address, port: a.port };
      }
    } catch (err) {
      await this.stop();
      throw new TrackerError('TRACKER_UNREACHABLE', `cannot listen: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    const sweepEveryMs = i.sweepEveryMs ?? Math.min(SERVER_DEFAULTS.sweepEveryMs, peerTtlMs);
    this.sweepTimer = setInterval(() => void this.store?.sweep(Date.now()).catch(() => {}), sweepEveryMs);
    this.sweepTimer.unref();
    return out;
  }

  /** Re-reads the allow list and passkeys (the CLI calls this on SIGHUP). */
  reload(): Promise<void> {
    return this.access.reload();
  }

  async snapshot(): Promise<Snapshot> {
    if (!this.core || !this.store) throw new TrackerError('TRACKER_STOPPED', 'tracker is not running');
    return {
      stats: await this.store.stats(),
      counters: this.core.counters,
      uptimeS: (Date.now() - this.startedMs) / 1000,
      rssBytes: process.memoryUsage.rss(),
      storeKind: (this.init.store ?? 'memory').startsWith('redis') ? 'redis' : 'memory',
    };
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await Promise.all([this.http?.stop(), this.udp?.stop()]);
    this.http = undefined;
    this.udp = undefined;
    if (!this.init.sharedStore) await this.store?.close();
    this.store = undefined;
    this.core = undefined;
  }
}

/** The store limits a tracker's options ask for, the defaults filling the rest. */
export function trackerStoreLimits(i: Pick<TrackerServerInit, 'maxTorrents' | 'maxPeersPerTorrent' | 'maxPeersTotal' | 'peerTtlMs'> = {}): StoreLimits {
  return {
    maxTorrents: i.maxTorrents ?? SERVER_DEFAULTS.maxTorrents,
    maxPeersPerTorrent: i.maxPeersPerTorrent ?? SERVER_DEFAULTS.maxPeersPerTorrent,
    maxPeersTotal: i.maxPeersTotal ?? SERVER_DEFAULTS.maxPeersTotal,
    peerTtlMs: i.peerTtlMs ?? SERVER_DEFAULTS.peerTtlMs,
  };
}
