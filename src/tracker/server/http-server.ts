// The HTTP face of the tracker (BEP 3 announce, BEP 48 scrape, BEP 23 compact, BEP 7 peers6), a stats page and
// /metrics. Plain node:http rather than web-standard Request/Response: an announce is a hot path and the adapter
// allocations would cost a large share of the rate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeCompactPeer } from '../compact.js';
import { SERVER_DEFAULTS } from '../defaults.js';
import { badRequest, TrackerError } from '../errors.js';
import { encodeAnnounceReply, encodeFailure, encodeScrapeReply, parseAnnounceQuery, parseScrapeQuery } from '../http-codec.js';
import { passkeyFromPath } from './access.js';
import type { TrackerCore } from './core.js';
import { renderPrometheus, renderStatsPage, type Snapshot } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';

export interface HttpTrackerOptions {
  host: string;
  port: number;
  maxUrlBytes?: number;
}

export class HttpTracker {
  private server: Server | undefined;

  constructor(
    private readonly core: TrackerCore,
    private readonly limiter: RateLimiter,
    private readonly snapshot: () => Promise<Snapshot>,
    private readonly options: HttpTrackerOptions,
  ) {}

  async start(): Promise<AddressInfo> {
    const server = createServer({ maxHeaderSize: 8192, requestTimeout: SERVER_DEFAULTS.httpRequestTimeoutMs, keepAliveTimeout: SERVER_DEFAULTS.httpKeepAliveTimeoutMs }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    server.maxConnections = SERVER_DEFAULTS.maxHttpConnections;
    server.headersTimeout = SERVER_DEFAULTS.httpRequestTimeoutMs;
    // A client that sends garbage instead of HTTP gets a 400 and a closed socket, never a crash.
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const remote = req.socket.remoteAddress ?? '';
    if (!this.limiter.allow(remote, Date.now())) {
      this.core.counters.rateLimited.http++;
      return this.bencoded(res, encodeFailure('rate limited: too many requests from your address'), 429);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.plain(res, 405, 'method not allowed\n');
    const last = path.slice(path.lastIndexOf('/') + 1);
    try {
      if (url.length > (this.options.maxUrlBytes ?? SERVER_DEFAULTS.maxUrlBytes)) throw badRequest('TRACKER_BAD_FIELD', 'request URL is too long');
      if (last === 'announce') return this.bencoded(res, await this.announce(path, query, remote));
      if (last === 'scrape') return this.bencoded(res, await this.scrape(path, query));
    } catch (err) {
      const { code, message } = this.core.describe(err);
      this.core.counters.error(code);
      return this.bencoded(res, encodeFailure(message));
    }
    if (path === '/metrics') return this.plain(res, 200, renderPrometheus(await this.snapshot()), 'text/plain; version=0.0.4; charset=utf-8');
    if (path === '/' || path === '/stats') return this.plain(res, 200, renderStatsPage(await this.snapshot()), 'text/html; charset=utf-8');
    return this.plain(res, 404, 'not found\n');
  }

  private async announce(path: string, query: string, remote: string): Promise<Buffer> {
    const cfg = this.core.config;
    const ann = parseAnnounceQuery(query, cfg.defaultNumwant, cfg.maxNumwant);
    const addr = encodeCompactPeer(remote, ann.port);
    if (!addr) throw new TrackerError('TRACKER_BAD_FIELD', 'cannot tell the peer address');
    const result = await this.core.announce(
      { infoHash: ann.infoHash, peerId: ann.peerId, addr, left: ann.left, event: ann.event, numwant: ann.numwant, families: 'both', passkey: passkeyFromPath(path), withPeerIds: !ann.compact && !ann.noPeerId },
      'http',
    );
    return encodeAnnounceReply(
      {
        intervalS: cfg.announceIntervalS,
        minIntervalS: cfg.minAnnounceIntervalS,
        complete: result.complete,
        incomplete: result.incomplete,
        downloaded: result.downloaded,
        v4: result.peers4,
        v6: result.peers6,
        v4Ids: result.ids4,
        v6Ids: result.ids6,
      },
      ann.compact,
      ann.noPeerId,
    );
  }

  private async scrape(path: string, query: string): Promise<Buffer> {
    const hashes = parseScrapeQuery(query, SERVER_DEFAULTS.maxScrapeHashes);
    const stats = await this.core.scrape(hashes, passkeyFromPath(path), 'http');
    return encodeScrapeReply(stats.map((s, i) => ({ infoHash: hashes[i]!, ...s })));
  }

  private bencoded(res: ServerResponse, body: Buffer, status = 200): void {
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  }

  private plain(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length });
    res.end(bytes);
  }
}
