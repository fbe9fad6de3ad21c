/**
 * The HTTP/1.1 file server: two adapters over one handler. Plain-HTTP GET, HEAD and OPTIONS are answered by the
 * fast path on the raw socket (`h1-connection.ts`); everything else (uploads, `Expect`, `Upgrade`, other methods,
 * and all of HTTPS) by node:http, which turns `IncomingMessage` into a `RequestInfo`. Both stream bodies with
 * backpressure through `BodyWriter` (fs read streams piped into the socket, never whole files in memory).
 *
 * @example
 *   const server = new HttpFileServer({ root: './public', port: 0 });
 *   const { port } = await server.start();
 *   ...
 *   await server.stop();
 */
import { realpath, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { AccessLog } from './access-log.js';
import { basicAuthChecker, type BasicCredentials } from './auth.js';
import { answerClientError, type ClientError } from './client-error.js';
import { HTTP_DEFAULTS } from './defaults.js';
import { HttpError } from './errors.js';
import { DateCache } from './h1-codec.js';
import { H1Connection, type H1Context, type H1Limits } from './h1-connection.js';
import { ConnectionGate, gateConnections, type ConnectionListener } from './connection-gate.js';
import { loopTurns } from '../util/loop-turns.js';
import { errorReply, handleRequest, unreadableReply, type FileHooks, type HandlerConfig, type Reply, type RequestInfo } from './handler.js';
import { receiveUpload } from './upload.js';
import { SmallFileCache } from './file-cache.js';
import { BodyWriter, Unreadable } from './reply-body.js';
import type { SendBudget } from './throttle.js';

export interface HttpServerOptions {
  root: string;
  host?: string;
  port?: number;
  tls?: { cert: Buffer; key: Buffer };
  auth?: BasicCredentials;
  /** Accept PUT uploads up to this many bytes; absent means uploads are refused with 405. */
  uploadMaxBytes?: number;
  accessLog?: Writable;
  /** Called with unexpected failures (the client saw a 500 or a cut connection). */
  onError?: (err: unknown) => void;
  /** Every body byte is drawn from this allowance (`serve --upload-limit`, shared with the seed's peers). */
  sendBudget?: SendBudget;
  /** Routes answered before the files (the seed's tracker), see `HandlerConfig.preRoute`. */
  preRoute?: HandlerConfig['preRoute'];
  /** Companions of served files (the seed's Link header and `?torrent`), see `HandlerConfig.files`. */
  files?: FileHooks;
  /** Head size and timeouts of the fast path; `HTTP_DEFAULTS` unless a test needs them shorter. */
  limits?: Partial<H1Limits>;
  /** Connections held at once; past it, 503 (`HTTP_DEFAULTS.maxConnections`). */
  maxConnections?: number;
}

export class HttpFileServer {
  private server?: http.Server;
  private cfg?: HandlerConfig;
  private readonly log?: AccessLog;
  private readonly body: BodyWriter;
  private readonly fast = new Set<H1Connection>();
  private gate?: ConnectionGate;
  private sweeper?: NodeJS.Timeout;
  private stopping = false;
  /** node:http responses not yet closed, per connection (a refusal must not be written into one). */
  private readonly inFlight = new WeakMap<Socket, number>();
  /** Response body bytes handed to sockets since start: the server's own accounting of what it sent. */
  bodyBytesSent = 0;

  /** Connections answered 503 because the server was full, since start. */
  get refusedConnections(): number {
    return this.gate?.refused ?? 0;
  }

  constructor(private readonly opts: HttpServerOptions) {
    if (opts.accessLog) this.log = new AccessLog(opts.accessLog);
    const cache = new SmallFileCache(HTTP_DEFAULTS.smallFileBytes, HTTP_DEFAULTS.smallFileCacheBytes);
    this.body = new BodyWriter({ cache, sendBudget: opts.sendBudget, onError: opts.onError });
  }

  /** Binds and resolves with the real address (port 0 picks a free one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    let realRoot: string;
    try {
      realRoot = await realpath(this.opts.root);
      if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new HttpError('HTTP_CONFIG', `cannot serve ${this.opts.root}: ${(err as Error).message}`, 'input', { cause: err });
    }
    this.cfg = { realRoot, uploadMaxBytes: this.opts.uploadMaxBytes, preRoute: this.opts.preRoute, files: this.opts.files };
    if (this.opts.auth) this.cfg.checkAuth = basicAuthChecker(this.opts.auth);
    // Requests node:http parses (uploads, TLS) take their turn like the fast path's (util/loop-turns.ts); one whose
    // client left while it waited is dropped unanswered.
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => loopTurns.run(() => void (res.destroyed || this.onRequest(req, res)));
    const server = this.opts.tls ? https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, listener) : http.createServer(listener);
    // RFC 9110 §10.1.1: answer Expect: 100-continue ourselves, after deciding whether the upload is welcome.
    server.on('checkContinue', listener);
    server.on('clientError', (err: ClientError, socket: Socket) => answerClientError(err, socket, (this.inFlight.get(socket) ?? 0) > 0, this.log));
    server.keepAliveTimeout = HTTP_DEFAULTS.keepAliveTimeoutMs;
    server.headersTimeout = this.opts.limits?.headersTimeoutMs ?? HTTP_DEFAULTS.headersTimeoutMs;
    server.requestTimeout = 0; // uploads may be long; idle sockets are cut by the timeout below instead
    server.timeout = HTTP_DEFAULTS.socketIdleTimeoutMs;
    this.stopping = false;
    const gate = new ConnectionGate({ maxConnections: this.opts.maxConnections ?? HTTP_DEFAULTS.maxConnections, answer: !this.opts.tls, makeRoom: () => this.closeLongestIdle() });
    this.gate = gate;
    if (this.opts.tls) gateConnections(server, gate);
    else this.takeConnections(server, gate, this.cfg);
    this.server = server;
    const host = this.opts.host ?? HTTP_DEFAULTS.host;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new HttpError('HTTP_LISTEN', `cannot listen on ${host}:${this.opts.port}: ${err.message}`, 'runtime', { cause: err })));
      server.listen(this.opts.port ?? HTTP_DEFAULTS.port, host, () => resolve());
    });
    const addr = server.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `${this.opts.tls ? 'https' : 'http'}://${shownHost}:${addr.port}/` };
  }

  /** Stops accepting, closes idle keep-alive connections and waits for the rest. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.stopping = true;
    clearInterval(this.sweeper);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      for (const c of this.fast) if (c.idle) c.socket.destroy();
      // Connections still streaming are cut after a grace period so stop() always ends.
      setTimeout(() => {
        server.closeAllConnections();
        for (const c of this.fast) c.socket.destroy();
      }, 2_000).unref();
    });
  }

  /**
   * Puts the fast path in front of node:http: the server's own connection listener is kept for the connections
   * the fast path hands over (node documents emitting 'connection' to inject a socket).
   */
  private takeConnections(server: http.Server, gate: ConnectionGate, cfg: HandlerConfig): void {
    // node:http's own listener, read before the gate takes its place: hand-offs go to it.
    const nodeListener = server.listeners('connection')[0] as ConnectionListener;
    const limits: H1Limits = {
      maxHeadBytes: HTTP_DEFAULTS.maxHeadBytes,
      maxHeaderCount: HTTP_DEFAULTS.maxHeaderCount,
      keepAliveTimeoutMs: HTTP_DEFAULTS.keepAliveTimeoutMs,
      headersTimeoutMs: HTTP_DEFAULTS.headersTimeoutMs,
      socketIdleTimeoutMs: HTTP_DEFAULTS.socketIdleTimeoutMs,
      requestsPerConnectionTurn: HTTP_DEFAULTS.requestsPerConnectionTurn,
      ...this.opts.limits,
    };
    const ctx: H1Context = {
      cfg,
      limits,
      body: this.body,
      dates: new DateCache(),
      log: this.log,
      onError: this.opts.onError,
      countSent: (n) => void (this.bodyBytesSent += n),
      handOff: (socket, unread) => {
        if (unread.length > 0) socket.unshift(unread);
        nodeListener.call(server, socket);
      },
      stopping: () => this.stopping,
    };
    const gone = (c: H1Connection): void => void this.fast.delete(c);
    gateConnections(server, gate, (socket) => void this.fast.add(new H1Connection(socket, ctx, gone, Date.now())));
    // One timer for every connection's keep-alive and headers timeouts, rather than a timer per request.
    const everyMs = Math.max(50, Math.min(1_000, limits.keepAliveTimeoutMs / 4, limits.headersTimeoutMs / 4));
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const c of this.fast) c.sweep(now);
    }, everyMs).unref();
  }

  /**
   * When the server is full, the keep-alive connection idle the longest is closed to make room for a newcomer, as
   * nginx reuses idle keep-alive connections: the server may close an idle one at any time (RFC 9112 §9.6), and a
   * client that is actually using its connection is never idle for long. False when none is idle.
   */
  private closeLongestIdle(): boolean {
    let oldest: H1Connection | undefined;
    for (const c of this.fast) if (c.idle && (!oldest || c.idleSinceMs < oldest.idleSinceMs)) oldest = c;
    if (!oldest) return false;
    this.fast.delete(oldest);
    oldest.socket.destroy();
    return true;
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const remote = req.socket.remoteAddress ?? '-'; // the socket is gone by the time 'close' fires
    const info: RequestInfo = { method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, remoteAddress: remote, localAddress: req.socket.localAddress };
    const socket = req.socket;
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
    let user: string | undefined;
    let sent = 0;
    const count = (n: number): void => {
      sent += n;
      this.bodyBytesSent += n;
    };
    // Logged once the response has closed and its status is decided: an upload's client may leave before either.
    let decided = false;
    let closed = false;
    const log = (): void => {
      if (decided && closed) this.logRequest(req, res, remote, started, user, sent); // body bytes sent, as the fast path logs them
    };
    res.once('close', () => {
      this.inFlight.set(socket, this.inFlight.get(socket)! - 1);
      closed = true;
      log();
    });
    try {
      const reply = await handleRequest(info, this.cfg!);
      user = reply.user;
      if ('kind' in reply) {
        const done = await receiveUpload(req, res, reply);
        await this.send(res, done, info, count);
        return;
      }
      await this.send(res, reply, info, count);
    } catch (err) {
      this.opts.onError?.(err);
      if (res.headersSent) return void res.destroy();
      const failed = errorReply(500, info);
      if (!req.complete) failed.headers['connection'] = 'close'; // an upload's body left unread
      await this.send(res, failed, info, count);
    } finally {
      decided = true;
      log();
    }
  }

  /** Opens the reply's file before `writeHead` commits the status (see `BodyWriter.prepare`), then sends both. */
  private async send(res: http.ServerResponse, prepared: Reply, info: RequestInfo, count: (n: number) => void): Promise<void> {
    let reply = prepared;
    let source = await this.body.prepare(reply.body);
    if (source instanceof Unreadable) {
      reply = unreadableReply(source.code, source.cause, info, this.opts.onError);
      source = undefined;
    }
    if (res.destroyed) {
      res.statusCode = reply.status; // for the access log: an upload whose client left is not logged as a 200
      return this.body.release(source);
    }
    res.writeHead(reply.status, reply.headers);
    void this.body.write(res, undefined, reply.body, source, true, count);
  }

  private logRequest(req: http.IncomingMessage, res: http.ServerResponse, remote: string, started: number, user: string | undefined, bytes: number): void {
    this.log?.write({
      remoteAddress: remote,
      user,
      timeMs: started,
      method: req.method ?? '-',
      target: req.url ?? '-',
      httpVersion: req.httpVersion,
      status: res.statusCode,
      bodyBytes: bytes,
      referer: req.headers['referer'],
      userAgent: req.headers['user-agent'],
    });
  }
}
