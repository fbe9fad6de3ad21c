// The servers' modules are loaded when one starts, not with the node: a one-shot `tandem get` or `share` never
// loads the HTTP, TFTP or FTP servers (start-up counts when many clients start at once: issue 13).
import { Writable } from 'node:stream';
import { parseHostPort } from '../tracker/client/index.js';
import type { SwarmStore } from '../tracker/index.js';
import { NodeError } from './errors.js';
import type { NodeLog } from './log.js';
import type { NodeFtpOptions } from './server-ftp.js';
import type { NodeEvents, ServerInfo, ServerKind } from './types.js';

/** What the node may run beside its torrents, as `tandem serve` and `tandem tracker` run them. */
export interface ServerSpec {
  kind: ServerKind;
  /** HOST:PORT to bind. */
  address: string;
  /** The served folder (http, tftp). */
  root?: string;
  /** http: every served file is also a torrent (`serve --seed`). */
  seed?: boolean;
  /** tftp: accept writes of new files. */
  tftpWrite?: boolean;
  /** ftp: an account, uploads, FTPS and passive ports; anonymous and read-only without. */
  ftp?: NodeFtpOptions;
}

interface Running {
  info: ServerInfo;
  bytesSent: () => number;
  stop: () => Promise<void>;
}

const MAX_LOG_LINES = 100;

/** Counts the access log's lines (requests) and keeps the last ones for the API; forwards them to the log. */
class LogTap extends Writable {
  lines: string[] = [];
  count = 0;

  constructor(private readonly forward: (line: string) => void) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('latin1').split('\n')) {
      if (!line) continue;
      this.count++;
      this.lines.push(line);
      this.forward(line);
    }
    if (this.lines.length > MAX_LOG_LINES) this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
    done();
  }
}

/** The servers of one node: started and stopped through the API, one per kind. */
export class NodeServers {
  private readonly running = new Map<ServerKind, Running>();
  private readonly taps = new Map<ServerKind, LogTap>();
  /** The swarms the node's trackers share; kept while the node runs (a tracker restarted finds its peers). */
  private trackerSwarms?: SwarmStore;

  constructor(
    private readonly emit: <K extends 'server:started' | 'server:stopped'>(event: K, info: NodeEvents[K]) => void,
    private readonly log: NodeLog,
  ) {}

  list(): ServerInfo[] {
    return [...this.running.values()].map((r) => this.info(r));
  }

  /** The last access-log lines of a server (HTTP requests, TFTP transfers). */
  recentLog(kind: ServerKind): string[] {
    return [...(this.taps.get(kind)?.lines ?? [])];
  }

  async start(spec: ServerSpec): Promise<ServerInfo> {
    if (this.running.has(spec.kind)) throw new NodeError('NODE_SERVER', `a ${spec.kind} server is already running; stop it first`, 'input');
    let hostPort;
    try {
      hostPort = parseHostPort(spec.address);
    } catch {
      throw new NodeError('NODE_BAD_ARGUMENT', `${spec.kind}: "${spec.address}" is not HOST:PORT`, 'input');
    }
    const tap = new LogTap((line) => this.log.detail(`${spec.kind}: ${line}`));
    this.taps.set(spec.kind, tap);
    let running: Running;
    try {
      running = await this.launch(spec, hostPort, tap);
    } catch (err) {
      if (err instanceof NodeError) throw err;
      throw new NodeError('NODE_SERVER', `${spec.kind} on ${spec.address}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    this.running.set(spec.kind, running);
    const info = this.info(running);
    this.emit('server:started', info);
    return info;
  }

  private async launch(spec: ServerSpec, at: { host: string; port: number }, tap: LogTap): Promise<Running> {
    const root = (): string => {
      if (!spec.root) throw new NodeError('NODE_BAD_ARGUMENT', `${spec.kind} needs a folder to serve (--serve-dir)`, 'input');
      return spec.root;
    };
    const base = (address: string): ServerInfo => ({ kind: spec.kind, address, running: true, requests: 0, bytesSent: 0 });
    const hostText = (h: string): string => (h.includes(':') ? `[${h}]` : h);
    if (spec.kind === 'http' && spec.seed) {
      const { defaultSeedCacheDir, SeedingFileServer } = await import('../serve/index.js');
      const server = new SeedingFileServer({ http: { root: root(), host: at.host, port: at.port, accessLog: tap }, cacheDir: defaultSeedCacheDir() });
      const addr = await server.start();
      return { info: base(`${hostText(addr.host)}:${addr.port}`), bytesSent: () => { const s = server.sent(); return s.httpBodyBytes + s.peerBytes; }, stop: () => server.stop() };
    }
    if (spec.kind === 'http') {
      const { HttpFileServer } = await import('../http/index.js');
      const server = new HttpFileServer({ root: root(), host: at.host, port: at.port, accessLog: tap });
      const addr = await server.start();
      return { info: base(`${hostText(addr.host)}:${addr.port}`), bytesSent: () => server.bodyBytesSent, stop: () => server.stop() };
    }
    if (spec.kind === 'tftp') {
      const { TftpServer, formatTransferLine } = await import('../tftp/index.js');
      let sent = 0;
      const server = new TftpServer({
        root: root(),
        host: at.host,
        port: at.port,
        allowWrite: Boolean(spec.tftpWrite),
        onTransfer: (t) => {
          if (t.direction === 'read') sent += t.bytes;
          tap.write(formatTransferLine(t) + '\n');
        },
      });
      const addr = await server.start();
      return { info: base(`${hostText(addr.host)}:${addr.port}`), bytesSent: () => sent, stop: () => server.stop() };
    }
    if (spec.kind === 'ftp') {
      const { startNodeFtp } = await import('./server-ftp.js');
      const ftp = await startNodeFtp(root(), at, spec.ftp ?? {}, (line) => tap.write(line + '\n'));
      return { info: base(ftp.address), bytesSent: ftp.bytesSent, stop: ftp.stop };
    }
    const { MemoryStore, TrackerServer, trackerStoreLimits } = await import('../tracker/index.js');
    // The HTTP and UDP trackers answer from one set of swarms: a peer announced over UDP is handed to HTTP clients.
    this.trackerSwarms ??= new MemoryStore(trackerStoreLimits());
    const sharedStore = this.trackerSwarms;
    const server = new TrackerServer(spec.kind === 'tracker-http' ? { http: at, sharedStore } : { udp: at, sharedStore });
    const addrs = await server.start();
    const addr = (spec.kind === 'tracker-http' ? addrs.http : addrs.udp)!;
    return { info: base(`${hostText(addr.host)}:${addr.port}`), bytesSent: () => 0, stop: () => server.stop() };
  }

  async stop(kind: ServerKind): Promise<ServerInfo> {
    const running = this.running.get(kind);
    if (!running) throw new NodeError('NODE_NOT_FOUND', `no ${kind} server is running`, 'input');
    this.running.delete(kind);
    const info = { ...this.info(running), running: false };
    await running.stop();
    this.emit('server:stopped', info);
    return info;
  }

  async stopAll(): Promise<void> {
    for (const kind of [...this.running.keys()]) await this.stop(kind).catch(() => undefined);
    await this.trackerSwarms?.close();
    this.trackerSwarms = undefined;
  }

  private info(r: Running): ServerInfo {
    return { ...r.info, requests: this.taps.get(r.info.kind)?.count ?? 0, bytesSent: r.bytesSent() };
  }
}
