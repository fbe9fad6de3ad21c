/**
 * The HTTP/1.1 file server's Node adapter: turns `IncomingMessage` into a `RequestInfo`, runs the handler, and
 * streams the reply with backpressure (fs read streams piped into the socket, never whole files in memory).
 *
 * @example
 *   const server = new HttpFileServer({ root: './public', port: 0 });
 *   const { port } = await server.start();
 *   ...
 *   await server.stop();
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { AccessLog } from './access-log.js';
import { basicAuthChecker, type BasicCredentials } from './auth.js';
import { HTTP_DEFAULTS } from './defaults.js';
import { HttpError } from './errors.js';
import { errorReply, handleRequest, type FileHooks, type HandlerConfig, type Reply, type RequestInfo } from './handler.js';
import type { ByteRange } from './range.js';
import { receiveUpload } from './upload.js';
import { SmallFileCache, type FileIdentity } from './file-cache.js';
import { Throttle, THROTTLE_SLICE_BYTES, type SendBudget } from './throttle.js';

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
}

export class HttpFileServer {
  private server?: http.Server;
  private cfg?: HandlerConfig;
  private readonly log?: AccessLog;
  private readonly cache = new SmallFileCache(HTTP_DEFAULTS.smallFileBytes, HTTP_DEFAULTS.smallFileCacheBytes);
  /** Response body bytes handed to sockets since start: the server's own accounting of what it sent. */
  bodyBytesSent = 0;

  constructor(private readonly opts: HttpServerOptions) {
    if (opts.accessLog) this.log = new AccessLog(opts.accessLog);
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
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.onRequest(req, res);
    const server = this.opts.tls ? https.createServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }, listener) : http.createServer(listener);
    // RFC 9110 §10.1.1: answer Expect: 100-continue ourselves, after deciding whether the upload is welcome.
    server.on('checkContinue', listener);
    server.keepAliveTimeout = HTTP_DEFAULTS.keepAliveTimeoutMs;
    server.headersTimeout = HTTP_DEFAULTS.headersTimeoutMs;
    server.requestTimeout = 0; // uploads may be long; idle sockets are cut by the timeout below instead
    server.timeout = HTTP_DEFAULTS.socketIdleTimeoutMs;
    server.maxConnections = HTTP_DEFAULTS.maxConnections;
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
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Connections still streaming are cut after a grace period so stop() always ends.
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const remote = req.socket.remoteAddress ?? '-'; // the socket is gone by the time 'close' fires
    const info: RequestInfo = { method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, remoteAddress: remote, localAddress: req.socket.localAddress };
    let user: string | undefined;
    let sent = 0;
    const count = (n: number): void => {
      sent += n;
      this.bodyBytesSent += n;
    };
    res.once('close', () => this.logRequest(req, res, remote, started, user, res.writableFinished ? Number(res.getHeader('content-length') ?? sent) : sent));
    try {
      const reply = await handleRequest(info, this.cfg!);
      user = reply.user;
      if ('kind' in reply) {
        const done = await receiveUpload(req, res, reply);
        this.send(res, done, count);
        return;
      }
      this.send(res, reply, count);
    } catch (err) {
      this.opts.onError?.(err);
      if (!res.headersSent) this.send(res, errorReply(500, info), count);
      else res.destroy();
    }
  }

  private send(res: http.ServerResponse, reply: Reply, count: (n: number) => void): void {
    if (res.destroyed) return;
    res.writeHead(reply.status, reply.headers);
    const body = reply.body;
    if (body.kind === 'none') return void res.end();
    if (body.kind === 'bytes') {
      count(body.data.length);
      if (!this.opts.sendBudget) return void res.end(body.data);
      const throttle = new Throttle(this.opts.sendBudget);
      throttle.pipe(res);
      return void throttle.end(body.data);
    }
    if (body.kind === 'file') {
      // Under an upload limit every body goes through the throttle, small cached files included.
      if (body.identity.size <= this.cache.maxFileBytes && !this.opts.sendBudget) return void this.sendSmall(res, body.path, body.identity, body.range, count);
      return void this.pipeRange(res, body.path, body.range, count, true);
    }
    void this.sendMultipart(res, body.path, body.plan.parts, body.plan.tail, count);
  }

  /** A small file goes out in one write, from the memory cache when it is current. */
  private async sendSmall(res: http.ServerResponse, path: string, identity: FileIdentity, range: ByteRange, count: (n: number) => void): Promise<void> {
    try {
      const data = (await this.cache.read(path, identity)).subarray(range.start, range.end + 1);
      count(data.length);
      res.end(data);
    } catch (err) {
      this.opts.onError?.(err);
      res.destroy();
    }
  }

  /** Streams [start, end] of a file into the response, honouring backpressure through pipe(). */
  private pipeRange(res: http.ServerResponse, path: string, range: ByteRange, count: (n: number) => void, end: boolean): Promise<void> {
    return new Promise((resolve) => {
      const budget = this.opts.sendBudget;
      const stream = createReadStream(path, { start: range.start, end: range.end, highWaterMark: budget ? THROTTLE_SLICE_BYTES : HTTP_DEFAULTS.streamChunkBytes });
      const out = budget ? stream.pipe(new Throttle(budget)) : stream;
      out.on('data', (chunk: Buffer) => count(chunk.length));
      out.on('end', resolve);
      stream.on('error', (err) => {
        this.opts.onError?.(err);
        res.destroy();
        resolve();
      });
      res.once('close', () => {
        stream.destroy();
        if (out !== stream) out.destroy();
        resolve();
      });
      out.pipe(res, { end });
    });
  }

  private async sendMultipart(res: http.ServerResponse, path: string, parts: { head: Buffer; range: ByteRange }[], tail: Buffer, count: (n: number) => void): Promise<void> {
    for (const part of parts) {
      if (res.destroyed) return;
      res.write(part.head);
      count(part.head.length);
      await this.pipeRange(res, path, part.range, count, false);
    }
    if (res.destroyed) return;
    count(tail.length);
    res.end(tail);
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
