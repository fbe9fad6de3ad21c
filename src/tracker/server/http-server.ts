// The HTTP face of the tracker (BEP 3 announce, BEP 48 scrape, BEP 23 compact, BEP 7 peers6), a stats page and
// /metrics. HTTP/1.1 on raw sockets (http-wire.ts) rather than node:http: an announce is a few hundred bytes each
// way on a fresh connection, and node:http's per-request objects cost more than the tracker's own work (measured:
// about twice the announces per second this way). Keep-alive and pipelining work; bodies are refused.
// Like the file server it yields under load (util/loop-turns.ts) and answers 503 past its connection cap
// (http/connection-gate.ts), so busy keep-alive clients cannot keep a newcomer waiting in the listen queue.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SERVER_DEFAULTS } from '../defaults.js';
import { badRequest, TrackerError } from '../errors.js';
import { encodeCompactPeer } from '../compact.js';
import { encodeAnnounceReply, encodeFailure, encodeScrapeReply, parseAnnounceQuery, parseScrapeQuery, type AnnounceReply } from '../http-codec.js';
import { passkeyFromPath } from './access.js';
import type { TrackerCore } from './core.js';
import { answerHttpAnnounce } from './http-announce.js';
import { encodeResponse, parseRequestHead } from './http-wire.js';
import { renderPrometheus, renderStatsPage, type Snapshot } from './metrics.js';
import type { SourceLimiter } from '../../util/source-limiter.js';
import { loopTurns } from '../../util/loop-turns.js';
import { ConnectionGate, HTTP_DEFAULTS } from '../../http/index.js';

export interface HttpTrackerOptions {
  host: string;
  port: number;
  maxUrlBytes?: number;
  /** A connection silent for this long is closed (default `SERVER_DEFAULTS.httpRequestTimeoutMs`). */
  idleTimeoutMs?: number;
}

interface Reply {
  status: number;
  type: string;
  body: Buffer;
}

const BENCODED = 'text/plain';
const INTERNAL_ERROR: Reply = { status: 500, type: 'text/plain; charset=utf-8', body: Buffer.from('internal error\n') };
const bencoded = (body: Buffer): Reply => ({ status: 200, type: BENCODED, body });
const MAX_HEAD_BYTES = 8192;
/** Requests answered on one connection before it is closed, so one client cannot hold a socket forever. */
const MAX_REQUESTS_PER_CONNECTION = 1000;
/** How often idle connections are looked for; a connection lives at most this long past its timeout. */
const IDLE_SWEEP_MS = 1000;

export class HttpTracker {
  private server: Server | undefined;
  /** Open connections and when each last sent a byte, for the idle sweep. */
  private readonly sockets = new Map<Socket, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly gate = new ConnectionGate({ maxConnections: SERVER_DEFAULTS.maxHttpConnections });

  constructor(
    private readonly core: TrackerCore,
    private readonly limiter: SourceLimiter,
    private readonly snapshot: () => Promise<Snapshot>,
    private readonly options: HttpTrackerOptions,
  ) {}

  async start(): Promise<AddressInfo> {
    // allowHalfOpen: a client may send its request and its FIN together (as simple clients do); we still answer.
    // No noDelay: every reply leaves in a single write, so Nagle never holds one back, and the option is a syscall.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.gate.admit(socket) && this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const idleMs = this.options.idleTimeoutMs ?? SERVER_DEFAULTS.httpRequestTimeoutMs;
    this.sweepTimer = setInterval(() => this.closeIdle(Date.now(), idleMs), Math.min(IDLE_SWEEP_MS, idleMs)).unref();
    return server.address() as AddressInfo;
  }

  /**
   * An idle or slow connection is closed rather than kept. One sweep over all connections rather than a timer per
   * socket, which is armed and re-armed on every read: a measurable share of a connection that lives one request.
   */
  private closeIdle(nowMs: number, idleMs: number): void {
    for (const [socket, lastMs] of this.sockets) if (nowMs - lastMs >= idleMs) socket.destroy();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    clearInterval(this.sweepTimer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets.keys()) s.destroy();
    await closed;
  }

  /** One connection: parse a head, answer it, repeat (requests are answered one at a time, in order). */
  private serve(socket: Socket): void {
    this.sockets.set(socket, Date.now());
    const remote = socket.remoteAddress ?? '';
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    let ended = false;
    let served = 0;
    // Waiting for a turn (`queued`); `granted` once it came; answers since the connection last waited.
    let queued = false;
    let granted = false;
    let inARow = 0;
    const onTurn = (): void => {
      queued = false;
      granted = true;
      inARow = 0;
      pump();
    };
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    const pump = (): void => {
      while (!busy && !socket.destroyed) {
        const parsed = parseRequestHead(buf, MAX_HEAD_BYTES);
        if (parsed.kind === 'incomplete') {
          if (ended && !socket.writableEnded) socket.end();
          return;
        }
        if (!granted && (inARow >= HTTP_DEFAULTS.requestsPerConnectionTurn || !loopTurns.tryTake())) {
          queued = true;
          loopTurns.defer(onTurn, served === 0); // a newcomer's first request goes ahead (loop-turns.ts)
          return;
        }
        granted = false;
        inARow++;
        if (parsed.kind === 'bad') {
          this.core.counters.error('TRACKER_BAD_FIELD');
          socket.end(encodeResponse(parsed.status, 'text/plain; charset=utf-8', Buffer.from(parsed.reason + '\n'), false));
          return;
        }
        const head = parsed.head;
        buf = buf.subarray(head.headBytes);
        const keepAlive = head.keepAlive && ++served < MAX_REQUESTS_PER_CONNECTION && !ended;
        busy = true;
        // Settles the exchange; true when the connection stays open for the next request.
        const reply = (r: Reply): boolean => {
          busy = false;
          if (socket.destroyed) return false;
          const bytes = encodeResponse(r.status, r.type, r.body, keepAlive, head.method === 'HEAD');
          if (keepAlive && !ended) {
            socket.write(bytes);
            return true;
          }
          // A client that already sent its FIN, all of it read: closing once the reply is with the kernel still
          // delivers it, then FIN, and saves the shutdown and the stream's end machinery.
          if (ended) socket.write(bytes, () => socket.destroy());
          else socket.end(bytes);
          return false;
        };
        let r: Reply | Promise<Reply>;
        try {
          r = this.respond(head.method, head.target, remote, head.hasBody);
        } catch {
          r = INTERNAL_ERROR;
        }
        // An announce to the memory store is answered in this same turn; anything that waits resumes the loop.
        if (r instanceof Promise) {
          void r.catch((): Reply => INTERNAL_ERROR).then((x) => reply(x) && pump());
          return;
        }
        if (!reply(r)) return;
      }
    };
    socket.on('data', (d: Buffer) => {
      this.sockets.set(socket, Date.now());
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      if (buf.length > MAX_HEAD_BYTES * 4) {
        // A client that floods bytes faster than we answer gets cut off rather than buffered.
        socket.destroy();
        return;
      }
      if (queued) return;
      inARow = 0;
      pump();
    });
    socket.on('end', () => {
      ended = true;
      if (!busy && !queued) pump();
    });
  }

  /** The reply to one request: at once for an announce the store answers at once, else a promise. */
  private respond(method: string, url: string, remote: string, hasBody: boolean): Reply | Promise<Reply> {
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (!this.limiter.allow(remote, Date.now())) {
      this.core.counters.rateLimited.http++;
      return { status: 429, type: BENCODED, body: encodeFailure('rate limited: too many requests from your address') };
    }
    if ((method !== 'GET' && method !== 'HEAD') || hasBody) return { status: 405, type: 'text/plain; charset=utf-8', body: Buffer.from('method not allowed\n') };
    const last = path.slice(path.lastIndexOf('/') + 1);
    const refuse = (err: unknown): Reply => {
      const { code, message } = this.core.describe(err);
      this.core.counters.error(code);
      // BEP 3: a refusal is a 200 with a bencoded `failure reason`, which every client reads.
      return { status: 200, type: BENCODED, body: encodeFailure(message) };
    };
    try {
      if (url.length > (this.options.maxUrlBytes ?? SERVER_DEFAULTS.maxUrlBytes)) throw badRequest('TRACKER_BAD_FIELD', 'request URL is too long');
      if (last === 'announce') {
        const body = this.announce(path, query, remote);
        return body instanceof Promise ? body.then(bencoded, refuse) : bencoded(body);
      }
      if (last === 'scrape') return this.scrape(path, query).then(bencoded, refuse);
    } catch (err) {
      return refuse(err);
    }
    if (path === '/metrics') return this.snapshot().then((s) => ({ status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: Buffer.from(renderPrometheus(s)) }));
    if (path === '/' || path === '/stats') return this.snapshot().then((s) => ({ status: 200, type: 'text/html; charset=utf-8', body: Buffer.from(renderStatsPage(s)) }));
    return { status: 404, type: 'text/plain; charset=utf-8', body: Buffer.from('not found\n') };
  }

  private announce(path: string, query: string, remote: string): Buffer | Promise<Buffer> {
    const cfg = this.core.config;
    const ann = parseAnnounceQuery(query, cfg.defaultNumwant, cfg.maxNumwant);
    const addr = encodeCompactPeer(remote, ann.port);
    if (!addr) throw new TrackerError('TRACKER_BAD_FIELD', 'cannot tell the peer address');
    const reply = answerHttpAnnounce(this.core, ann, addr, passkeyFromPath(path));
    const encode = (r: AnnounceReply): Buffer => encodeAnnounceReply(r, ann.compact, ann.noPeerId);
    return reply instanceof Promise ? reply.then(encode) : encode(reply);
  }

  private async scrape(path: string, query: string): Promise<Buffer> {
    const hashes = parseScrapeQuery(query, SERVER_DEFAULTS.maxScrapeHashes);
    const stats = await this.core.scrape(hashes, passkeyFromPath(path), 'http');
    return encodeScrapeReply(stats.map((s, i) => ({ infoHash: hashes[i]!, ...s })));
  }
}
