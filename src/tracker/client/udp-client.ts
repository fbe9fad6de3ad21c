// UDP tracker client (BEP 15): connect, then announce or scrape with the connection id, which is cached for one
// minute; every exchange is retransmitted after 15 * 2^n seconds (n = 0..8), the base configurable for tests.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { decodeResponse, encodeAnnounce, encodeConnect, encodeScrape, MAX_SCRAPE_HASHES, type UdpResponse } from '../bep15-udp.js';
import { decodeCompactPeers } from '../compact.js';
import { CLIENT_DEFAULTS } from '../defaults.js';
import { TrackerError } from '../errors.js';
import type { AnnounceRequest, AnnounceResponse, ScrapeEntry } from '../types.js';
import { systemClock, type Clock } from './emitter.js';

export interface UdpClientOptions {
  retryBaseMs?: number;
  maxRetries?: number;
  connectionIdTtlMs?: number;
  clock?: Clock;
}

interface Pending {
  resolve: (r: UdpResponse) => void;
}

const TIMEOUT = Symbol('timeout');

export class UdpTrackerClient {
  private socket: Socket | undefined;
  private remote: { address: string; port: number; family: 4 | 6 } | undefined;
  private connection: { id: bigint; atMs: number } | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly host: string;
  private readonly port: number;
  private readonly urlData: string;
  private readonly retryBaseMs: number;
  private readonly maxRetries: number;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private closed = false;

  constructor(url: string, opts: UdpClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TrackerError('TRACKER_BAD_URL', `not a URL: ${url}`, 'input');
    }
    if (u.protocol !== 'udp:' || !u.port) throw new TrackerError('TRACKER_BAD_URL', `not a udp://host:port URL: ${url}`, 'input');
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port);
    this.urlData = u.pathname + u.search;
    this.retryBaseMs = opts.retryBaseMs ?? CLIENT_DEFAULTS.udpRetryBaseMs;
    this.maxRetries = opts.maxRetries ?? CLIENT_DEFAULTS.udpMaxRetries;
    this.ttlMs = opts.connectionIdTtlMs ?? CLIENT_DEFAULTS.udpConnectionIdTtlMs;
    this.clock = opts.clock ?? systemClock;
  }

  async announce(req: AnnounceRequest, signal?: AbortSignal): Promise<AnnounceResponse> {
    const r = await this.exchange('announce', signal, (id, tid) =>
      encodeAnnounce({
        connectionId: id,
        transactionId: tid,
        infoHash: req.infoHash,
        peerId: req.peerId,
        downloaded: req.downloaded,
        left: req.left,
        uploaded: req.uploaded,
        event: req.event,
        key: req.key ?? 0,
        numWant: req.numwant ?? -1,
        port: req.port,
        urlData: this.urlData,
      }),
    );
    if (r.action !== 'announce') throw new TrackerError('TRACKER_BAD_RESPONSE', 'UDP tracker answered an announce with another action');
    // BEP 15: over IPv6 the peer entries are 18 bytes, over IPv4 6 bytes.
    const family = this.remote!.family;
    return { intervalS: r.intervalS, complete: r.seeders, incomplete: r.leechers, peers: decodeCompactPeers(r.peers, family, 10_000) };
  }

  async scrape(infoHashes: Buffer[], signal?: AbortSignal): Promise<ScrapeEntry[]> {
    if (infoHashes.length === 0 || infoHashes.length > MAX_SCRAPE_HASHES) throw new TrackerError('TRACKER_BAD_FIELD', `scrape takes 1 to ${MAX_SCRAPE_HASHES} info hashes`, 'input');
    const r = await this.exchange('scrape', signal, (id, tid) => encodeScrape(id, tid, infoHashes));
    if (r.action !== 'scrape' || r.entries.length < infoHashes.length) throw new TrackerError('TRACKER_BAD_RESPONSE', 'UDP scrape response does not match the request');
    return infoHashes.map((h, i) => ({ infoHash: h, complete: r.entries[i]!.seeders, downloaded: r.entries[i]!.completed, incomplete: r.entries[i]!.leechers }));
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.resolve({ action: 'error', transactionId: 0, message: '\0stopped' });
    this.pending.clear();
    this.socket?.close();
    this.socket = undefined;
  }

  /**
   * BEP 15: connect when there is no connection id or it is over a minute old, then send the request; a request
   * with no answer is sent again after 15 * 2^n seconds, n growing to 8, reconnecting if the id expired meanwhile.
   */
  private async exchange(what: string, signal: AbortSignal | undefined, build: (connectionId: bigint, tid: number) => Buffer): Promise<UdpResponse> {
    await this.open();
    for (let n = 0; ; ) {
      if (!this.connection || this.clock.now() - this.connection.atMs >= this.ttlMs) {
        const tid = randomBytes(4).readUInt32BE(0);
        const r = await this.once(encodeConnect(tid), tid, n, signal);
        if (r === TIMEOUT) { n = this.next(n, 'connect'); continue; }
        if (r.action !== 'connect') throw this.failure(r, 'connect');
        this.connection = { id: r.connectionId, atMs: this.clock.now() };
      }
      const tid = randomBytes(4).readUInt32BE(0);
      const r = await this.once(build(this.connection.id, tid), tid, n, signal);
      if (r === TIMEOUT) { n = this.next(n, what); continue; }
      if (r.action === 'error') {
        // The tracker may have forgotten us (a restart, a new secret): the next try connects afresh.
        this.connection = undefined;
        throw this.failure(r, what);
      }
      return r;
    }
  }

  private next(n: number, what: string): number {
    if (n >= this.maxRetries) throw new TrackerError('TRACKER_TIMEOUT', `UDP tracker ${this.host}:${this.port} did not answer the ${what} after ${n + 1} tries`);
    return n + 1;
  }

  private failure(r: UdpResponse, what: string): TrackerError {
    if (r.action === 'error' && r.message === '\0stopped') return new TrackerError('TRACKER_STOPPED', 'tracker client stopped');
    if (r.action === 'error') return new TrackerError('TRACKER_FAILURE', `tracker says: ${r.message}`);
    return new TrackerError('TRACKER_BAD_RESPONSE', `UDP tracker answered a ${what} with a ${r.action}`);
  }

  private once(packet: Buffer, tid: number, n: number, signal?: AbortSignal): Promise<UdpResponse | typeof TIMEOUT> {
    if (this.closed || !this.socket) return Promise.reject(new TrackerError('TRACKER_STOPPED', 'tracker client stopped'));
    if (signal?.aborted) return Promise.reject(new TrackerError('TRACKER_ABORTED', 'announce aborted'));
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        this.clock.clearTimeout(timer);
        this.pending.delete(tid);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(new TrackerError('TRACKER_ABORTED', 'announce aborted'));
      };
      const timer = this.clock.setTimeout(() => {
        finish();
        resolve(TIMEOUT);
      }, this.retryBaseMs * 2 ** n);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(tid, { resolve: (r) => { finish(); resolve(r); } });
      socket.send(packet, this.remote!.port, this.remote!.address);
    });
  }

  private async open(): Promise<void> {
    if (this.closed) throw new TrackerError('TRACKER_STOPPED', 'tracker client stopped');
    if (this.socket) return;
    let resolved: { address: string; family: number };
    try {
      resolved = await lookup(this.host);
    } catch (err) {
      throw new TrackerError('TRACKER_UNREACHABLE', `cannot resolve ${this.host}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    if (this.socket || this.closed) return;
    const family = resolved.family === 6 ? 6 : 4;
    this.remote = { address: resolved.address, port: this.port, family };
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // ICMP errors surface here; the retransmission timer handles the lost exchange.
    socket.on('error', () => {});
    socket.unref();
    this.socket = socket;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (!this.remote || rinfo.port !== this.remote.port || rinfo.address !== this.remote.address) return;
    let r: UdpResponse;
    try {
      r = decodeResponse(msg);
    } catch {
      return; // a malformed datagram is dropped; the retransmission timer still runs
    }
    this.pending.get(r.transactionId)?.resolve(r);
  }
}
