/**
 * A BEP 14 announcer and listener: joins the multicast group on one interface, announces our torrents every
 * `announceIntervalMs`, and reports the peers others announce. Our own announces are recognised by the cookie
 * and ignored; a chatty neighbour is rate limited per source address.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { decodeAnnounce, encodeAnnounces, hostHeader, LSD_GROUP_V4, LSD_GROUP_V6, LSD_PORT } from './codec.js';
import { LsdError } from './errors.js';

export interface LsdOptions {
  family?: 4 | 6;
  /** The interface to join and send on: an IPv4 address, or for IPv6 an interface scope like "::%eth0". */
  interfaceAddress?: string;
  /** The TCP port our peer listens on (what we announce). */
  peerPort: number;
  /** BEP 14 suggests announcing at most once a minute per torrent; libtorrent uses 5 minutes. */
  announceIntervalMs?: number;
  /** Time to the next announce, asked after each one; overrides `announceIntervalMs` (e.g. sooner while nobody answered). */
  nextIntervalMs?: () => number;
  /** Multicast TTL: above 1 so the org-local group reaches past one router (BEP 14 implementation note). */
  multicastTtl?: number;
  /** Announces handled per source address per minute (the rest are dropped and counted). */
  maxAnnouncesPerMinutePerSource?: number;
  /** Our cookie (BEP 14 `cookie`, to recognise our own announces); services of one program share one. */
  cookie?: string;
  /** The group port; tests inside namespaces use the real one. */
  groupPort?: number;
}

export interface LsdPeer {
  infoHash: Buffer;
  host: string;
  port: number;
}

export const LSD_DEFAULTS = { announceIntervalMs: 5 * 60_000, multicastTtl: 32, maxAnnouncesPerMinutePerSource: 60 } as const;
const MAX_TRACKED_SOURCES = 1_000;

export class LsdService {
  readonly cookie: string;
  readonly counters = { received: 0, malformed: 0, own: 0, rateLimited: 0, sent: 0 };
  private socket: Socket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private infoHashes: Buffer[] = [];
  private readonly perSource = new Map<string, { windowStartMs: number; count: number }>();

  constructor(
    private readonly opts: LsdOptions,
    private readonly onPeer: (peer: LsdPeer) => void,
  ) {
    this.cookie = opts.cookie ?? randomBytes(8).toString('hex');
  }

  private get family(): 4 | 6 {
    return this.opts.family ?? 4;
  }

  private get group(): string {
    return this.family === 6 ? LSD_GROUP_V6 : LSD_GROUP_V4;
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: this.family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.opts.groupPort ?? LSD_PORT, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.addMembership(this.group, this.opts.interfaceAddress);
      if (this.opts.interfaceAddress) socket.setMulticastInterface(this.opts.interfaceAddress);
      socket.setMulticastTTL(this.opts.multicastTtl ?? LSD_DEFAULTS.multicastTtl);
      socket.setMulticastLoopback(true); // a second program on this host hears us; our own cookie is skipped
    } catch (err) {
      socket.close();
      throw new LsdError('LSD_SOCKET', `cannot join the LSD group ${this.group}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    socket.on('error', () => {}); // per-packet send errors: the next announce retries
    this.socket = socket;
  }

  /** Sets the torrents we announce, announces them now and every `announceIntervalMs` after. */
  announce(infoHashes: Buffer[]): void {
    this.infoHashes = [...infoHashes];
    if (this.timer) clearTimeout(this.timer);
    this.announceAndReschedule();
  }

  private announceAndReschedule(): void {
    this.sendAnnounces();
    if (!this.socket) return;
    const ms = this.opts.nextIntervalMs?.() ?? this.opts.announceIntervalMs ?? LSD_DEFAULTS.announceIntervalMs;
    this.timer = setTimeout(() => this.announceAndReschedule(), ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private sendAnnounces(): void {
    const s = this.socket;
    if (!s || this.infoHashes.length === 0) return;
    for (const packet of encodeAnnounces({ host: hostHeader(this.family), port: this.opts.peerPort, infoHashes: this.infoHashes, cookie: this.cookie })) {
      this.counters.sent++;
      s.send(packet, this.opts.groupPort ?? LSD_PORT, this.group, () => {});
    }
  }

  private allow(source: string, nowMs: number): boolean {
    let w = this.perSource.get(source);
    if (!w || nowMs - w.windowStartMs >= 60_000) {
      if (!w && this.perSource.size >= MAX_TRACKED_SOURCES) this.perSource.delete(this.perSource.keys().next().value!);
      w = { windowStartMs: nowMs, count: 0 };
      this.perSource.set(source, w);
    }
    w.count++;
    return w.count <= (this.opts.maxAnnouncesPerMinutePerSource ?? LSD_DEFAULTS.maxAnnouncesPerMinutePerSource);
  }

  private receive(datagram: Buffer, from: string): void {
    this.counters.received++;
    let a;
    try {
      a = decodeAnnounce(datagram);
    } catch {
      this.counters.malformed++;
      return;
    }
    if (a.cookie === this.cookie) {
      this.counters.own++;
      return;
    }
    if (!this.allow(from, Date.now())) {
      this.counters.rateLimited++;
      return;
    }
    // The peer's address is the datagram's source: the Host header names the group, not the sender.
    for (const infoHash of a.infoHashes) this.onPeer({ infoHash, host: from, port: a.port });
  }
}
