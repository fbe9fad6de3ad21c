// The UDP face of the tracker (BEP 15, with BEP 41 URL data for passkeys). Connectionless and stateless: a
// connection id is a keyed hash of the source address (connection-ids.ts), so a flood of connects costs no memory.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  decodeRequest,
  encodeAnnounceResponse,
  encodeConnectResponse,
  encodeErrorResponse,
  encodeScrapeResponse,
  peekTransactionId,
  type UdpAnnounceRequest,
  type UdpRequest,
} from '../bep15-udp.js';
import { encodeCompactPeer } from '../compact.js';
import { SERVER_DEFAULTS } from '../defaults.js';
import { badRequest } from '../errors.js';
import { passkeyFromPath } from './access.js';
import { ConnectionIds } from './connection-ids.js';
import type { TrackerCore } from './core.js';
import type { SourceLimiter } from '../../util/source-limiter.js';

export interface UdpTrackerOptions {
  host: string;
  port: number;
  connectionIdTtlMs?: number;
  maxPacketBytes?: number;
}

export class UdpTracker {
  private socket: Socket | undefined;
  private readonly ids: ConnectionIds;

  constructor(
    private readonly core: TrackerCore,
    private readonly limiter: SourceLimiter,
    private readonly options: UdpTrackerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.ids = new ConnectionIds(options.connectionIdTtlMs ?? SERVER_DEFAULTS.udpConnectionIdTtlMs);
  }

  async start(): Promise<{ address: string; port: number; family: string }> {
    const socket = createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4', ipv6Only: isIPv6(this.options.host), recvBufferSize: SERVER_DEFAULTS.udpReceiveBufferBytes });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onPacket(socket, msg, rinfo));
    // A send error (an ICMP unreachable reported late, say) concerns one peer; the socket lives on.
    socket.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket.address();
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onPacket(socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    const now = this.now();
    if (!this.limiter.allow(rinfo.address, now)) {
      // Dropped without an answer: replying to a flood would only help it reflect off us.
      this.core.counters.rateLimited.udp++;
      return;
    }
    let req: UdpRequest;
    try {
      req = decodeRequest(msg, this.options.maxPacketBytes ?? SERVER_DEFAULTS.maxUdpPacketBytes);
      if (req.action !== 'connect' && !this.ids.check(req.connectionId, rinfo.address, now)) {
        throw badRequest('TRACKER_BAD_CONNECTION_ID', 'wrong or expired connection id');
      }
    } catch (err) {
      this.fail(socket, rinfo, peekTransactionId(msg), err);
      return;
    }
    if (req.action === 'connect') {
      this.core.counters.connects++;
      this.send(socket, rinfo, encodeConnectResponse(req.transactionId, this.ids.issue(rinfo.address, now)));
      return;
    }
    const work = req.action === 'announce' ? this.announce(req, rinfo) : this.scrape(req.infoHashes, req.transactionId);
    work.then(
      (reply) => this.send(socket, rinfo, reply),
      (err: unknown) => this.fail(socket, rinfo, req.transactionId, err),
    );
  }

  private async announce(req: UdpAnnounceRequest, rinfo: RemoteInfo): Promise<Buffer> {
    // BEP 15: the ip field is ignored (0 means the sender); trusting it would let anyone register someone else.
    const addr = encodeCompactPeer(rinfo.address, req.port);
    if (!addr || req.port === 0) throw badRequest('TRACKER_BAD_FIELD', 'port must be 1..65535');
    const cfg = this.core.config;
    // BEP 15: -1 is "default"; any other negative is treated the same way.
    const numwant = req.numWant < 0 ? cfg.defaultNumwant : req.numWant;
    const result = await this.core.announce(
      {
        infoHash: req.infoHash,
        peerId: req.peerId,
        addr,
        left: req.left === 0n ? 0 : 1,
        event: req.event,
        numwant,
        // BEP 15: the peer list is in the family of the request: 6-byte entries over IPv4, 18 over IPv6.
        families: addr.length === 18 ? 'v6' : 'v4',
        passkey: passkeyFromPath(req.urlData.split('?')[0] ?? ''),
      },
      'udp',
    );
    return encodeAnnounceResponse(req.transactionId, cfg.announceIntervalS, result.incomplete, result.complete, addr.length === 18 ? result.peers6 : result.peers4);
  }

  private async scrape(infoHashes: Buffer[], transactionId: number): Promise<Buffer> {
    // BEP 15 scrape carries no URL data, so a passkey-protected tracker refuses UDP scrapes.
    const stats = await this.core.scrape(infoHashes, undefined, 'udp');
    return encodeScrapeResponse(transactionId, stats.map((s) => ({ seeders: s.complete, completed: s.downloaded, leechers: s.incomplete })));
  }

  private fail(socket: Socket, rinfo: RemoteInfo, transactionId: number | undefined, err: unknown): void {
    const { code, message } = this.core.describe(err);
    this.core.counters.error(code);
    // A packet too short to carry a transaction id cannot be answered in a way the sender could match.
    if (transactionId !== undefined) this.send(socket, rinfo, encodeErrorResponse(transactionId, message));
  }

  private send(socket: Socket, rinfo: RemoteInfo, bytes: Buffer): void {
    if (this.socket !== socket) return;
    socket.send(bytes, rinfo.port, rinfo.address);
  }
}
