import { SourceLimiter } from '../util/source-limiter.js';

/**
 * Who may open a connection to our peer listener, decided from the source address alone, before a byte of the
 * handshake is read (issue 16). Pure: time is passed in. It holds
 * - a cap on connections open at once, in all, and from one address (all torrents together: each torrent caps an
 *   address at `maxPeersPerAddress` too, but a daemon with many torrents would otherwise let one host fill the
 *   listener);
 * - a token bucket of connection attempts per address, so a flood of new connections from one host is refused
 *   for the price of an accept;
 * - strikes per address for protocol violations (garbage, a broken handshake, bad data): `strikesToBan` of them
 *   within `strikeWindowMs` ban the address for `banMs`. Bans and strikes are remembered for a bounded number of
 *   addresses, the least recent forgotten first.
 */
export interface AddressGuardOptions {
  /** Incoming connections open at once, all torrents together. */
  maxConnections: number;
  /** Incoming connections open at once from one address, all torrents together. */
  maxConnectionsPerAddress: number;
  /** New connections per second one address may open, sustained, and in a burst. */
  connectsPerSecond: number;
  connectBurst: number;
  strikesToBan: number;
  strikeWindowMs: number;
  banMs: number;
  /** Addresses whose strikes, bans and buckets are remembered at once. */
  trackedAddresses: number;
}

export const DEFAULT_GUARD: AddressGuardOptions = {
  maxConnections: 1000,
  maxConnectionsPerAddress: 64,
  connectsPerSecond: 10,
  connectBurst: 40,
  strikesToBan: 3,
  strikeWindowMs: 60_000,
  banMs: 10 * 60_000,
  trackedAddresses: 10_000,
};

export type Refusal = 'banned' | 'too many connections' | 'too many from this address' | 'connecting too often';

interface Strikes {
  count: number;
  firstMs: number;
  bannedUntilMs: number;
}

export class AddressGuard {
  private readonly attempts: SourceLimiter;
  private readonly strikes = new Map<string, Strikes>();
  private open = 0;
  /** Open connections per address (an address leaves the map when its last connection closes). */
  private readonly openFrom = new Map<string, number>();

  constructor(private readonly options: AddressGuardOptions = DEFAULT_GUARD) {
    this.attempts = new SourceLimiter({ perSecond: options.connectsPerSecond, burst: options.connectBurst, maxSources: options.trackedAddresses });
  }

  /** Connections admitted and not yet closed. */
  get openConnections(): number {
    return this.open;
  }

  /** Why a new connection from `host` is refused, or undefined when it may proceed (it then counts as open). */
  admit(host: string, nowMs: number): Refusal | undefined {
    if (this.isBanned(host, nowMs)) return 'banned';
    if (this.open >= this.options.maxConnections) return 'too many connections';
    const fromHost = this.openFrom.get(host) ?? 0;
    if (fromHost >= this.options.maxConnectionsPerAddress) return 'too many from this address';
    if (!this.attempts.allow(host, nowMs)) return 'connecting too often';
    this.open++;
    this.openFrom.set(host, fromHost + 1);
    return undefined;
  }

  /** An admitted connection from `host` closed. */
  closed(host: string): void {
    this.open = Math.max(0, this.open - 1);
    const n = this.openFrom.get(host) ?? 0;
    if (n <= 1) this.openFrom.delete(host);
    else this.openFrom.set(host, n - 1);
  }

  isBanned(host: string, nowMs: number): boolean {
    const s = this.strikes.get(host);
    return s !== undefined && s.bannedUntilMs > nowMs;
  }

  /** A protocol violation from `host`; returns true when this strike bans it. */
  strike(host: string, nowMs: number): boolean {
    let s = this.strikes.get(host);
    if (s) this.strikes.delete(host); // re-inserted below: Map order becomes recency order
    if (!s || nowMs - s.firstMs > this.options.strikeWindowMs) s = { count: 0, firstMs: nowMs, bannedUntilMs: s?.bannedUntilMs ?? 0 };
    if (this.strikes.size >= this.options.trackedAddresses) this.strikes.delete(this.strikes.keys().next().value!);
    this.strikes.set(host, s);
    s.count++;
    if (s.count < this.options.strikesToBan) return false;
    s.bannedUntilMs = nowMs + this.options.banMs;
    s.count = 0;
    return true;
  }
}
