/**
 * The file server's fast path: one plain-HTTP connection served straight from the socket, below node:http. It reads
 * request heads with the pure codec (`h1-codec.ts`), runs the same `handleRequest` as node:http's adapter, and writes
 * each reply with `BodyWriter`: for a small file, head and body in one writev. Requests are answered one at a time
 * in arrival order, so pipelined requests (RFC 9112 §9.3.2) get their responses in order.
 *
 * Under load it yields: each request takes a unit of the process's per-turn budget (`util/loop-turns.ts`), and when
 * the turn has none left the connection queues for a later turn, so 1,000 busy keep-alive clients cannot keep the
 * event loop from accepting a newcomer. A connection also queues after `requestsPerConnectionTurn` pipelined answers
 * in a row, so one client's pipeline cannot hold the turn.
 *
 * Whatever it does not do itself (a request body, `Expect`, `Upgrade`, a method other than GET/HEAD/OPTIONS) it
 * hands over with the rest of the connection to node:http, unread bytes first, so uploads and `100-continue` work
 * exactly as before. Why: node:http's per-request objects cost more than serving a small file (measured in
 * `bench/suites/http.ts`).
 */
import type { Socket } from 'node:net';
import type { AccessLog } from './access-log.js';
import { checkPartialHead, DateCache, encodeRefusal, encodeResponseHead, findHeadEnd, parseRequestHead, requestLineOf, type HeadLimits, type RequestHead } from './h1-codec.js';
import { answerRequest, errorReply, unreadableReply, type HandlerConfig, type Reply, type RequestInfo, type UploadPlan } from './handler.js';
import { Unreadable, type BodySource, type BodyWriter } from './reply-body.js';
import { loopTurns } from '../util/loop-turns.js';

export interface H1Limits extends HeadLimits {
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  socketIdleTimeoutMs: number;
  /** Pipelined requests answered in a row before the connection lets others go first. */
  requestsPerConnectionTurn: number;
}

/** What a connection shares with its server. */
export interface H1Context {
  cfg: HandlerConfig;
  limits: H1Limits;
  body: BodyWriter;
  dates: DateCache;
  log?: AccessLog;
  onError?: (err: unknown) => void;
  /** Response body bytes handed to the socket. */
  countSent(n: number): void;
  /** Gives the socket, with `unread` pushed back in front, to node:http. */
  handOff(socket: Socket, unread: Buffer): void;
  /** True once the server is stopping: the current response is the connection's last. */
  stopping(): boolean;
}

const EMPTY = Buffer.alloc(0);

export class H1Connection {
  private buf: Buffer = EMPTY;
  /** How far `findHeadEnd` already looked in `buf`. */
  private searched = 0;
  /** The complete lines of an unfinished head already checked end here (0, or just past an LF). */
  private checked = 0;
  private busy = false;
  private ended = false;
  private gone = false;
  private paused = false;
  /** Waiting in `loopTurns` for a turn; `granted` once the turn has come (its unit is already counted). */
  private queued = false;
  private granted = false;
  /** Requests answered since this connection last waited for a turn, and in all. */
  private inARow = 0;
  private answered = 0;
  private readonly onTurn = (): void => {
    this.queued = false;
    this.granted = true;
    this.inARow = 0;
    this.pump();
  };
  /** When the connection began waiting for the next head (keep-alive and headers timeouts count from here). */
  private waitingSinceMs: number;
  private readonly remote: string;
  private readonly onData = (d: Buffer): void => this.receive(d);
  private readonly onEnd = (): void => this.peerEnded();
  private readonly onClose = (): void => this.closed();
  private readonly onTimeout = (): void => void this.socket.destroy();

  constructor(
    readonly socket: Socket,
    private readonly ctx: H1Context,
    private readonly onGone: (c: H1Connection) => void,
    nowMs: number,
  ) {
    this.waitingSinceMs = nowMs;
    this.remote = socket.remoteAddress ?? '-';
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', noop);
    // A connection that moves no bytes at all for this long is cut, even mid-response (node's server.timeout).
    socket.setTimeout(ctx.limits.socketIdleTimeoutMs, this.onTimeout);
  }

  /** Idle between requests, nothing buffered: safe to close without cutting a response. */
  get idle(): boolean {
    return !this.busy && !this.queued && this.buf.length === 0;
  }

  /** Since when it has been waiting for its next request (the server closes the longest idle first when full). */
  get idleSinceMs(): number {
    return this.waitingSinceMs;
  }

  /** Called by the server's sweep: enforces the keep-alive and headers timeouts (slowloris). */
  sweep(nowMs: number): void {
    if (this.busy || this.queued || this.gone) return;
    const waited = nowMs - this.waitingSinceMs;
    if (this.buf.length === 0 && waited > this.ctx.limits.keepAliveTimeoutMs) this.socket.destroy();
    else if (this.buf.length > 0 && waited > this.ctx.limits.headersTimeoutMs) this.refuse(408);
  }

  private receive(d: Buffer): void {
    if (!this.queued) this.inARow = 0; // a new read: the pipeline allowance counts from here
    if (this.buf.length === 0) {
      this.buf = d;
      if (!this.busy) this.waitingSinceMs = Date.now(); // headers timeout counts from the first byte of the head
    } else this.buf = Buffer.concat([this.buf, d]);
    if (this.busy || this.queued) {
      // Pipelined requests wait their turn; past one head's worth of them, stop reading (backpressure).
      if (this.buf.length > this.ctx.limits.maxHeadBytes && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    this.pump();
  }

  private peerEnded(): void {
    this.ended = true;
    if (!this.busy && !this.queued) this.pump();
  }

  private closed(): void {
    this.gone = true;
    this.onGone(this);
  }

  /** Answers every complete head in `buf`, one at a time. */
  private pump(): void {
    while (!this.busy && !this.gone) {
      const end = findHeadEnd(this.buf, this.searched);
      if (end < 0) {
        if (this.buf.length > this.ctx.limits.maxHeadBytes) return this.refuse(431);
        const lines = this.buf.lastIndexOf(10) + 1;
        const bad = checkPartialHead(this.buf, this.checked, Math.max(lines, this.checked));
        if (bad) return this.refuse(bad.status);
        this.checked = Math.max(lines, this.checked);
        this.searched = this.buf.length;
        if (this.ended) this.socket.end();
        else if (this.paused) {
          this.paused = false;
          this.socket.resume();
        }
        return;
      }
      // A complete head: answered now if this turn has room, else when the connection's turn comes.
      if (!this.granted && (this.inARow >= this.ctx.limits.requestsPerConnectionTurn || !loopTurns.tryTake())) {
        this.queued = true;
        loopTurns.defer(this.onTurn, this.answered === 0); // a newcomer's first request goes ahead (loop-turns.ts)
        return;
      }
      this.granted = false;
      this.inARow++;
      this.answered++;
      const parsed = parseRequestHead(this.buf.subarray(0, end), this.ctx.limits);
      if (parsed.kind === 'bad') return this.refuse(parsed.status);
      if (parsed.head.handOff) return this.handOff();
      this.buf = end === this.buf.length ? EMPTY : this.buf.subarray(end);
      this.searched = 0;
      this.checked = 0;
      this.busy = true;
      // A small file in memory is answered synchronously; anything that waits resumes the loop when done.
      const pending = this.answer(parsed.head);
      if (pending) return void pending.then(() => this.next());
      this.busy = false;
      this.waitingSinceMs = Date.now();
    }
  }

  private next(): void {
    this.busy = false;
    this.waitingSinceMs = Date.now();
    this.pump();
  }

  /**
   * An unparseable head: the minimal answer node:http gives, then close (RFC 9112 §2.2 lets us). It is logged like
   * any request, with its request line as it arrived (`buf` starts at the refused head).
   */
  private refuse(status: number): void {
    this.ctx.log?.write({ remoteAddress: this.remote, timeMs: Date.now(), requestLine: requestLineOf(this.buf), status, bodyBytes: 0 });
    this.buf = EMPTY;
    this.socket.off('data', this.onData);
    this.socket.end(encodeRefusal(status), 'latin1');
  }

  /** node:http takes the connection from this head on; nothing of ours stays attached to the socket. */
  private handOff(): void {
    const s = this.socket;
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('close', this.onClose);
    s.off('error', noop);
    s.setTimeout(0);
    s.off('timeout', this.onTimeout);
    const unread = this.buf;
    this.buf = EMPTY;
    this.gone = true;
    this.onGone(this);
    this.ctx.handOff(s, unread);
    // node:http's data listener is attached now; a socket we paused for backpressure must flow again for it.
    if (this.paused) s.resume();
  }

  /** Runs the handler and sends its reply; a promise only when either had to wait. */
  private answer(head: RequestHead): Promise<void> | undefined {
    const started = Date.now();
    const info: RequestInfo = { method: head.method, target: head.target, headers: head.headers, remoteAddress: this.remote, localAddress: this.socket.localAddress };
    let r: ReturnType<typeof answerRequest>;
    try {
      r = answerRequest(info, this.ctx.cfg);
    } catch (err) {
      r = this.failed(err, info);
    }
    if (r instanceof Promise) {
      return r.then(
        (done) => this.send(head, info, done, started),
        (err: unknown) => this.send(head, info, this.failed(err, info), started),
      );
    }
    return this.send(head, info, r, started);
  }

  private failed(err: unknown, info: RequestInfo): Reply {
    this.ctx.onError?.(err);
    return errorReply(500, info);
  }

  /** Opens the reply's file before its head is committed (see `BodyWriter.prepare`), then sends both. */
  private send(head: RequestHead, info: RequestInfo, r: Reply | UploadPlan, started: number): Promise<void> | undefined {
    // The fast path never sees a PUT (handed off), so an upload plan here is a bug, answered as one.
    const reply = 'kind' in r ? this.failed(new Error('upload plan on the fast path'), info) : r;
    const source = this.ctx.body.prepare(reply.body);
    if (source instanceof Promise) return source.then((s) => this.sendPrepared(head, info, reply, s, started));
    return this.sendPrepared(head, info, reply, source, started);
  }

  private sendPrepared(head: RequestHead, info: RequestInfo, prepared: Reply, opened: BodySource | Unreadable, started: number): Promise<void> | undefined {
    let reply = prepared;
    let source = opened;
    if (source instanceof Unreadable) {
      reply = unreadableReply(source.code, source.cause, info, this.ctx.onError);
      source = undefined;
    }
    // A client that half-closed after pipelining still gets every answer; the last one closes (RFC 9112 §9.6).
    const keepAlive = head.keepAlive && (!this.ended || this.buf.length > 0) && !this.ctx.stopping();
    const limits = this.ctx.limits;
    let text: string;
    let broken = false;
    try {
      text = encodeResponseHead(reply.status, reply.headers, { keepAlive, keepAliveSeconds: Math.floor(limits.keepAliveTimeoutMs / 1000), date: this.ctx.dates.at(started) }, head.method !== 'HEAD');
    } catch (err) {
      this.ctx.body.release(source);
      source = undefined;
      reply = this.failed(err, info);
      broken = true;
      text = encodeResponseHead(500, reply.headers, { keepAlive: false, keepAliveSeconds: 0, date: this.ctx.dates.at(started) }, true);
    }
    const closes = !keepAlive || reply.headers['connection'] === 'close' || broken;
    let sent = 0;
    const count = (n: number): void => {
      sent += n;
      this.ctx.countSent(n);
    };
    const outcome = this.ctx.body.write(this.socket, text, reply.body, source, closes, count);
    const finish = (): void => {
      // Combined Log Format counts the body bytes sent: none for a HEAD, whatever its Content-Length announced.
      this.logRequest(head, reply, started, sent);
      if (closes) this.gone = true; // ended by the writer; read no further requests
    };
    if (typeof outcome !== 'string') return outcome.then(finish);
    finish();
    return undefined;
  }

  private logRequest(head: RequestHead, reply: Reply, started: number, bytes: number): void {
    const h = head.headers;
    this.ctx.log?.write({
      remoteAddress: this.remote,
      user: reply.user,
      timeMs: started,
      method: head.method,
      target: head.target,
      httpVersion: head.httpVersion,
      status: reply.status,
      bodyBytes: bytes,
      referer: h['referer'] as string | undefined,
      userAgent: h['user-agent'] as string | undefined,
    });
  }
}

function noop(): void {}
