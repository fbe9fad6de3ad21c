/**
 * The project server: the scheduler (POST /scheduler, JSON), the content-addressed files volunteers fetch
 * (GET /file/SHA256), resumable output uploads under a permit (HEAD and POST /upload/INSTANCE), the project's
 * public key (GET /project.json) and a status summary (GET /status.json); a sweep timer runs the transitioner
 * and the assimilator. Bodies are bounded, requests time out, every error is JSON with a stable code.
 *
 * @example
 *   const server = new ComputeServer({ projectDir: './proj', host: '127.0.0.1', port: 0 });
 *   console.log((await server.start()).url);
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Assimilator } from './assimilator.js';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import { openProject, type ProjectPaths } from './project.js';
import { NAME_RE, parseSchedulerRequest } from './protocol.js';
import { handleScheduler, type SchedulerContext } from './scheduler.js';
import { checkPermit, loadPublicKey } from './signing.js';
import { projectStatus, type ProjectStatus } from './status.js';
import { SeedingFileServer, type SentBytes } from '../serve/index.js';
import type { ComputeStore } from './store.js';
import { receiveUpload, UploadDigests } from './uploads.js';

export interface ComputeServerInit {
  projectDir: string;
  host?: string;
  port?: number;
  /**
   * Also serve the files (applications, inputs) from a `serve --seed` file server on this port: each file of
   * 256 KiB and more becomes a torrent with this server as tracker and seed, so volunteers fetch from each other.
   */
  filesPort?: number;
  /** Upload slots of the files server's own peer (COMPUTE_DEFAULTS.filesSeedUploadSlots). */
  filesSeedUploadSlots?: number;
  /** Shell command run for each finished work unit (see assimilator.ts). */
  assimilateHook?: string;
  /** Called with failures the client saw as a 500, and sweep failures. */
  onError?: (err: unknown) => void;
  now?: () => number;
}

const STATUS_OF: Record<string, number> = { COMPUTE_BAD_REQUEST: 400, COMPUTE_AUTH: 401, COMPUTE_BAD_PERMIT: 403, COMPUTE_NOT_FOUND: 404, COMPUTE_TOO_LARGE: 413 };

export class ComputeServer {
  private server?: http.Server;
  private store?: ComputeStore;
  private paths?: ProjectPaths;
  private ctx?: SchedulerContext;
  private publicKeyPem = '';
  private timer?: NodeJS.Timeout;
  private assimilator?: Assimilator;
  private seeder?: SeedingFileServer;
  private filesUrl = 'file/';
  private sweeping?: Promise<void>;
  private readonly digests = new UploadDigests();
  private readonly counts = { schedulerRequests: 0, instancesReported: 0, instancesDispatched: 0 };
  private readonly now: () => number;

  constructor(private readonly init: ComputeServerInit) {
    this.now = init.now ?? Date.now;
  }

  async start(): Promise<{ url: string; port: number; filesUrl?: string }> {
    const { paths, store } = await openProject(this.init.projectDir);
    this.paths = paths;
    this.store = store;
    this.publicKeyPem = await readFile(paths.publicKey, 'utf8').catch(() => {
      store.close();
      throw new ComputeError('COMPUTE_PROJECT', `no public key at ${paths.publicKey} (run: tandem compute keygen ${paths.root})`, 'input');
    });
    loadPublicKey(this.publicKeyPem);
    this.ctx = { store, uploadsDir: paths.uploads, permitSecret: store.permitSecret(), digests: this.digests };
    this.assimilator = new Assimilator({ store, dirs: paths, hook: this.init.assimilateHook, onError: this.init.onError });
    const server = http.createServer((req, res) => void this.route(req, res));
    server.requestTimeout = COMPUTE_DEFAULTS.requestTimeoutMs;
    server.headersTimeout = COMPUTE_DEFAULTS.requestTimeoutMs;
    server.maxConnections = 1024;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ComputeError('COMPUTE_SERVER', `cannot listen: ${err.message}`, 'runtime', { cause: err })));
      server.listen(this.init.port ?? COMPUTE_DEFAULTS.port, this.init.host ?? COMPUTE_DEFAULTS.host, () => resolve());
    });
    this.server = server;
    if (this.init.filesPort !== undefined) await this.startSeeder(paths);
    this.timer = setInterval(() => this.runSweep(), COMPUTE_DEFAULTS.sweepIntervalMs);
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return { url: `http://${host}:${addr.port}/`, port: addr.port, filesUrl: this.seeder ? this.filesUrl : undefined };
  }

  /** The project's work units, instances, hosts and credit, read from the running server's own store. */
  status(detail = false): ProjectStatus {
    if (!this.store) throw new ComputeError('COMPUTE_SERVER', 'the compute server is not running', 'runtime');
    return projectStatus(this.store, this.now(), detail);
  }

  /** Scheduler calls answered (200) and instances they took reports of and handed out, since start. */
  counters(): { schedulerRequests: number; instancesReported: number; instancesDispatched: number } {
    return { ...this.counts };
  }

  /** What the files server sent (response bodies and peer uploads), when there is one. */
  filesSent(): SentBytes | undefined {
    return this.seeder?.sent();
  }

  private async startSeeder(paths: ProjectPaths): Promise<void> {
    this.seeder = new SeedingFileServer({
      http: { root: paths.files, host: this.init.host ?? COMPUTE_DEFAULTS.host, port: this.init.filesPort },
      cacheDir: paths.torrents, seed: { minFileBytes: COMPUTE_DEFAULTS.swarmMinFileBytes, swarm: { uploadSlots: this.init.filesSeedUploadSlots ?? COMPUTE_DEFAULTS.filesSeedUploadSlots } }, onEvent: (e) => e.event === 'seed:warning' && this.init.onError?.(new Error(`files server: ${e.path}: ${e.message}`)),
    });
    try {
      this.filesUrl = (await this.seeder.start()).url;
    } catch (err) {
      this.seeder = undefined;
      await this.stop();
      throw new ComputeError('COMPUTE_SERVER', `files server: ${(err as Error).message}`, 'runtime', { cause: err });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await this.sweeping;
    await this.seeder?.stop();
    this.seeder = undefined;
    this.store?.close();
    this.store = undefined;
  }

  private runSweep(): void {
    if (this.sweeping || !this.assimilator) return;
    this.sweeping = this.assimilator.sweep(this.now())
      .catch((err: unknown) => this.init.onError?.(err))
      .finally(() => (this.sweeping = undefined));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      if (path === '/scheduler' && req.method === 'POST') return this.json(res, 200, await this.scheduler(req));
      if (path === '/project.json' && req.method === 'GET') return this.json(res, 200, { publicKey: this.publicKeyPem, filesUrl: this.filesUrl });
      if (path === '/status.json' && req.method === 'GET') return this.json(res, 200, projectStatus(this.store!, this.now()));
      const file = /^\/file\/([0-9a-f]{64})$/.exec(path);
      if (file && (req.method === 'GET' || req.method === 'HEAD')) return await this.sendFile(req, res, file[1]!);
      const up = /^\/upload\/([^/]+)$/.exec(path);
      if (up && (req.method === 'POST' || req.method === 'HEAD')) return await this.upload(req, res, decodeURIComponent(up[1]!), url.searchParams);
      throw new ComputeError('COMPUTE_NOT_FOUND', `no route ${req.method} ${path}`, 'input');
    } catch (err) {
      this.fail(res, err);
    }
  }

  private async scheduler(req: http.IncomingMessage): Promise<unknown> {
    const body = await readBody(req, COMPUTE_DEFAULTS.maxSchedulerRequestBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ComputeError('COMPUTE_BAD_REQUEST', 'scheduler request: the body is not JSON', 'input');
    }
    const request = parseSchedulerRequest(parsed);
    const reply = await handleScheduler(this.ctx!, request, this.now());
    this.counts.schedulerRequests++;
    this.counts.instancesReported += request.finished.length;
    this.counts.instancesDispatched += reply.instances.length;
    return reply;
  }

  private async sendFile(req: http.IncomingMessage, res: http.ServerResponse, sha256: string): Promise<void> {
    const path = join(this.paths!.files, sha256);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ComputeError('COMPUTE_NOT_FOUND', `no file ${sha256}`, 'input');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size, 'cache-control': 'public, max-age=31536000, immutable' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path).on('error', (err) => res.destroy(err)).pipe(res);
  }

  /** HEAD says how many bytes arrived (`upload-offset`); POST appends at `offset`, which must be that or 0 (start again). */
  private async upload(req: http.IncomingMessage, res: http.ServerResponse, instance: string, q: URLSearchParams): Promise<void> {
    if (!NAME_RE.test(instance)) throw new ComputeError('COMPUTE_BAD_REQUEST', 'bad instance name', 'input');
    const { maxBytes } = checkPermit(this.ctx!.permitSecret, instance, q.get('permit') ?? '', this.now());
    const inst = this.store!.instanceByName(instance);
    if (!inst || !(inst.serverState === 'in_progress' || inst.outcome === 'no_reply')) throw new ComputeError('COMPUTE_BAD_PERMIT', `instance ${instance} takes no upload now`, 'input');
    const path = join(this.paths!.uploads, instance);
    const offset = Number(q.get('offset') ?? '0');
    // Starting again needs no look at the file: the common case, a whole output in one POST, costs one open.
    const have = req.method === 'POST' && offset === 0 ? 0 : (await stat(path).catch(() => undefined))?.size ?? 0;
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'upload-offset': String(have) });
      return void res.end();
    }
    if (offset !== have && offset !== 0) throw new ComputeError('COMPUTE_BAD_REQUEST', `upload offset ${offset} is not ${have}, the bytes received so far`, 'input');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared >= 0) || offset + declared > maxBytes) throw new ComputeError('COMPUTE_TOO_LARGE', `upload beyond the permit's ${maxBytes} bytes (or no content-length)`, 'input');
    this.digests.forget(instance);
    const { got, digest } = await receiveUpload(req, path, offset, declared);
    if (digest) this.digests.set(instance, digest);
    this.json(res, 200, { offset: offset + got });
  }

  private json(res: http.ServerResponse, status: number, value: unknown): void {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    const known = err instanceof ComputeError;
    if (!known) this.init.onError?.(err);
    const status = known ? (STATUS_OF[err.code] ?? 400) : 500;
    if (res.headersSent) return void res.destroy();
    res.setHeader('connection', 'close');
    this.json(res, status, { error: { code: known ? err.code : 'COMPUTE_SERVER', message: known ? err.message : 'internal error' } });
  }
}

/** Reads a request body up to `maxBytes`; larger ones are refused before they are buffered. */
function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reject(new ComputeError('COMPUTE_TOO_LARGE', `body beyond ${maxBytes} bytes`, 'input'));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) {
        reject(new ComputeError('COMPUTE_TOO_LARGE', `body beyond ${maxBytes} bytes`, 'input'));
        req.destroy();
      } else chunks.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
