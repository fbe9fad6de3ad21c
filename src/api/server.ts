import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConnectionGate, gateConnections } from '../http/index.js';
import { loopTurns } from '../util/loop-turns.js';
import type { Node } from '../node/index.js';
import { EventLog } from './event-log.js';
import { answerBody, JSONRPC_ERRORS } from './jsonrpc.js';
import { LatencyHistogram, renderMetrics } from './metrics.js';
import { authorize, type ApiAuth } from './security.js';
import { serveStatic } from './static.js';
import { handleRequest, replyText, type TransmissionContext } from './transmission/methods.js';

export interface ApiServerInit {
  host: string;
  port: number;
  auth: ApiAuth;
  /** The built web UI (`dist/web`); a short page says so when it is absent. */
  webRoot?: string;
}

export const API_LIMITS = {
  /** Request bodies above this get 413 (a 16 MiB .torrent in base64 fits, with room). */
  maxBodyBytes: 16 * 1024 * 1024,
  /** A body must arrive within this time. */
  bodyTimeoutMs: 30_000,
  /** A failed login waits this long before its 401, so passwords cannot be guessed quickly. */
  failedLoginDelayMs: 400,
  /** What "recently-active" means for Transmission clients. */
  recentMs: 60_000,
  /** A WebSocket client this far behind in bytes is dropped (it reconnects and catches up). */
  maxSocketBufferBytes: 8 * 1024 * 1024,
  /** Connections held at once; the next is answered 503 with Retry-After (http/connection-gate.ts). */
  maxConnections: 1024,
} as const;

const SESSION_HEADER = 'x-transmission-session-id';

/**
 * The node's control API on one HTTP listener: Transmission's RPC, tandem's JSON-RPC, the event WebSocket,
 * Prometheus metrics, and the web UI's files. Security is decided once per request (`security.ts`).
 */
export class ApiServer {
  private server?: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly events: EventLog;
  private readonly latency = new LatencyHistogram();
  private readonly sessionId = randomBytes(24).toString('base64url');
  private readonly activeAt = new Map<number, number>();
  private removedAt: { id: number; at: number }[] = [];
  private readonly transmission: TransmissionContext;

  constructor(
    private readonly node: Node,
    private readonly init: ApiServerInit,
  ) {
    this.events = new EventLog(node);
    node.on('torrent:changed', ({ id }) => void this.activeAt.set(id, Date.now()));
    node.on('torrent:added', ({ torrent }) => void this.activeAt.set(torrent.id, Date.now()));
    node.on('torrent:removed', ({ id }) => {
      this.activeAt.delete(id);
      this.removedAt.push({ id, at: Date.now() });
    });
    this.transmission = { node, recent: () => this.recent() };
  }

  private recent(): { active: number[]; removed: number[] } {
    const since = Date.now() - API_LIMITS.recentMs;
    this.removedAt = this.removedAt.filter((r) => r.at >= since);
    return { active: [...this.activeAt].filter(([, at]) => at >= since).map(([id]) => id), removed: this.removedAt.map((r) => r.id) };
  }

  async start(): Promise<{ host: string; port: number; url: string }> {
    // Each request takes its turn (util/loop-turns.ts), so busy keep-alive clients cannot starve accepts.
    const server = http.createServer((req, res) => loopTurns.run(() => void (res.destroyed || this.handle(req, res))));
    gateConnections(server, new ConnectionGate({ maxConnections: API_LIMITS.maxConnections }));
    server.headersTimeout = 20_000;
    server.requestTimeout = API_LIMITS.bodyTimeoutMs;
    server.keepAliveTimeout = 5_000;
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.init.host, port: this.init.port }, () => resolve());
    });
    this.server = server;
    const addr = server.address() as { address: string; port: number };
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return { host: addr.address, port: addr.port, url: `http://${host}:${addr.port}/` };
  }

  async stop(): Promise<void> {
    this.events.close();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    res.on('finish', () => this.latency.observe(Number(process.hrtime.bigint() - started) / 1e9));
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return this.text(res, 400, 'bad request target');
    }
    const path = url.pathname;
    const api = path.startsWith('/api/');
    const verdict = authorize(req, url, this.init.auth, api);
    if (!verdict.ok) return this.refuse(req, res, verdict.status, verdict.reason);
    try {
      if (path === '/transmission/rpc' || path === '/transmission/rpc/') return await this.transmissionRpc(req, res);
      if (path === '/api/rpc') return await this.jsonRpc(req, res);
      if (path === '/metrics') return this.text(res, 200, renderMetrics(this.node, this.latency), 'text/plain; version=0.0.4');
      if (api) return this.text(res, 404, 'no such API path');
      if (req.method !== 'GET' && req.method !== 'HEAD') return this.text(res, 405, 'method not allowed');
      return await serveStatic(this.init.webRoot, path, req, res);
    } catch (err) {
      if (!res.headersSent) this.text(res, (err as { status?: number }).status ?? 500, (err as Error).message);
      else res.destroy();
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: 401 | 403 | 421, reason: string): void {
    const headers: Record<string, string> = {};
    if (status === 401 && this.init.auth.basic) headers['www-authenticate'] = 'Basic realm="tandem", charset="UTF-8"';
    const send = (): void => this.text(res, status, reason, 'text/plain; charset=utf-8', headers);
    // Credentials that were given and wrong wait before the answer; a first request without any does not.
    if (status === 401 && req.headers.authorization) setTimeout(send, API_LIMITS.failedLoginDelayMs).unref();
    else send();
  }

  /** Transmission's RPC (spec §2.3.1): without the current session id, 409 with the id in a header. */
  private async transmissionRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { [SESSION_HEADER]: this.sessionId };
    if (req.headers[SESSION_HEADER] !== this.sessionId) {
      await drain(req);
      return this.text(res, 409, `<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p><p><code>X-Transmission-Session-Id: ${this.sessionId}</code></p>`, 'text/html; charset=utf-8', headers);
    }
    if (req.method !== 'POST') return this.text(res, 405, 'POST a JSON request', 'text/plain', headers);
    const body = await readJson(req);
    if (!body.ok) return this.json(res, body.status, { result: body.message, arguments: {} }, { ...headers, ...closeIfUnread(body.status) });
    this.text(res, 200, replyText(await handleRequest(this.transmission, body.value)), 'application/json; charset=utf-8', headers);
  }

  private async jsonRpc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return this.text(res, 405, 'POST a JSON-RPC 2.0 request');
    const body = await readJson(req);
    if (!body.ok) return this.json(res, body.status, { jsonrpc: '2.0', id: null, error: { code: JSONRPC_ERRORS.parse, message: body.message } }, closeIfUnread(body.status));
    const reply = await answerBody(this.node, body.value);
    if (reply === undefined) {
      res.writeHead(204).end();
      return;
    }
    this.json(res, 200, reply);
  }

  /** `/api/events?since=SEQ`: the WebSocket of node events (`event-log.ts`). */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return void socket.destroy();
    }
    const verdict = authorize(req, url, this.init.auth, true);
    if (url.pathname !== '/api/events' || !verdict.ok) {
      const status = url.pathname !== '/api/events' ? 404 : (verdict as { status: number }).status;
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.stream(ws, url.searchParams.get('since')));
  }

  private stream(ws: WebSocket, sinceText: string | null): void {
    const send = (value: unknown): void => {
      if (ws.bufferedAmount > API_LIMITS.maxSocketBufferBytes) return void ws.terminate();
      ws.send(JSON.stringify(value));
    };
    const since = sinceText !== null && /^\d{1,15}$/.test(sinceText) ? Number(sinceText) : undefined;
    const missed = since === undefined ? undefined : this.events.since(since);
    if (missed) for (const e of missed) send(e);
    else send({ seq: this.events.lastSeq, type: 'snapshot', torrents: this.node.torrents.list(), servers: this.node.servers.list() });
    const unsubscribe = this.events.subscribe(send);
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    // Clients send nothing we need; a ping keeps proxies from closing an idle stream.
    const ping = setInterval(() => ws.ping(), 30_000);
    ping.unref();
    ws.on('close', () => clearInterval(ping));
  }

  private json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.text(res, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
  }

  private text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
    const bytes = Buffer.from(body);
    res.writeHead(status, { 'content-type': type, 'content-length': bytes.length, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', ...headers });
    res.end(bytes);
  }
}

/** A body refused unread (413) leaves the connection unusable: it is closed after the answer. */
function closeIfUnread(status: number): Record<string, string> {
  return status === 413 ? { connection: 'close' } : {};
}

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/** Reads a JSON body of at most `maxBodyBytes` (413 beyond, without reading it all). */
async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > API_LIMITS.maxBodyBytes) {
    req.resume();
    return { ok: false, status: 413, message: `the body is over ${API_LIMITS.maxBodyBytes} bytes` };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > API_LIMITS.maxBodyBytes) {
      req.resume();
      return { ok: false, status: 413, message: `the body is over ${API_LIMITS.maxBodyBytes} bytes` };
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { ok: false, status: 400, message: 'the body is empty; expected JSON' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, message: `malformed JSON: ${(err as Error).message}` };
  }
}

async function drain(req: IncomingMessage): Promise<void> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > API_LIMITS.maxBodyBytes) break;
  }
}
