/**
 * The FTP server (RFC 959) with FTPS (RFC 4217): a TCP listener that gives each control connection a `Session`.
 * Explicit FTPS upgrades a connection on `AUTH TLS`; implicit FTPS (`implicitTls`, port 990 by custom) starts
 * every connection with a TLS handshake. Connections are capped in all and per client address.
 *
 * @example
 *   const server = new FtpServer({ root: './public', port: 2121, onEvent: (e) => console.log(e) });
 *   const { port } = await server.start();
 *   ...
 *   await server.stop();
 */
import { stat, realpath } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { formatReply } from './codec.js';
import { FTP_DEFAULTS } from './defaults.js';
import { FtpError } from './errors.js';
import { plainAddress } from './rfc2428.js';
import { Session } from './session.js';
import type { FtpEvent, SessionConfig } from './session-config.js';

export interface FtpServerOptions {
  root: string;
  host?: string;
  port?: number;
  /** Implicit FTPS: TLS from the first byte (needs `tls`). */
  implicitTls?: boolean;
  tls?: { cert: Buffer; key: Buffer; required?: boolean; allowUnresumed?: boolean };
  auth?: { user: string; pass: string };
  allowWrite?: boolean;
  pasvPorts?: readonly [number, number];
  pasvAddress?: string;
  /** Overrides of FTP_DEFAULTS' limits and timeouts (tests shorten them). */
  limits?: { [K in 'idleTimeoutMs' | 'dataConnectTimeoutMs' | 'dataIdleTimeoutMs' | 'loginFailureDelayMs' | 'maxConnections' | 'maxConnectionsPerAddress' | 'maxLineBytes' | 'maxQueuedCommands']?: number };
  onEvent?: (e: FtpEvent) => void;
  onError?: (err: unknown) => void;
}

export class FtpServer {
  private server: Server | undefined;
  private readonly sessions = new Set<Session>();
  private readonly sockets = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  private cfg: SessionConfig | undefined;
  private implicitContext: SecureContext | undefined;

  constructor(private readonly opts: FtpServerOptions) {}

  async start(): Promise<{ host: string; port: number }> {
    this.cfg = await this.config();
    if (this.opts.implicitTls && !this.cfg.tls) throw new FtpError('FTP_CONFIG', 'implicit FTPS needs a TLS certificate and key', 'input');
    const server = createServer({ pauseOnConnect: true }, (sock) => this.accept(sock));
    this.server = server;
    const host = this.opts.host ?? FTP_DEFAULTS.host;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new FtpError('FTP_LISTEN', `cannot listen on ${host}:${this.opts.port ?? FTP_DEFAULTS.port}: ${err.message}`, 'runtime', { cause: err })));
      server.listen({ host, port: this.opts.port ?? FTP_DEFAULTS.port }, resolve);
    });
    server.on('error', (err) => this.opts.onError?.(err));
    const addr = server.address() as { address: string; port: number };
    return { host: addr.address, port: addr.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sessions) s.closeWith(421, 'Server shutting down');
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A client that does not answer our FIN is cut after a moment, so stop() always ends.
    const grace = setTimeout(() => {
      for (const sock of this.sockets) sock.destroy();
    }, FTP_DEFAULTS.stopGraceMs);
    await closed;
    clearTimeout(grace);
  }

  private async config(): Promise<SessionConfig> {
    let realRoot: string;
    try {
      realRoot = await realpath(this.opts.root);
      if (!(await stat(realRoot)).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new FtpError('FTP_CONFIG', `cannot serve ${this.opts.root}: ${(err as Error).message}`, 'input', { cause: err });
    }
    const tlsOpts = this.opts.tls;
    let newContext: (() => SecureContext) | undefined;
    if (tlsOpts) {
      newContext = () => createSecureContext({ cert: tlsOpts.cert, key: tlsOpts.key });
      try {
        this.implicitContext = newContext();
      } catch (err) {
        throw new FtpError('FTP_CONFIG', `the TLS certificate or key cannot be used: ${(err as Error).message}`, 'input', { cause: err });
      }
    }
    const d = { ...FTP_DEFAULTS, ...this.opts.limits };
    const [low, high] = this.opts.pasvPorts ?? [0, 0];
    if (low > high || (low !== 0 && low < 1024) || high > 65535) throw new FtpError('FTP_CONFIG', `passive ports ${low}-${high}: give A-B with 1024 ≤ A ≤ B ≤ 65535`, 'input');
    return {
      realRoot,
      banner: 'tandem FTP server ready',
      maxLineBytes: d.maxLineBytes,
      maxQueuedCommands: d.maxQueuedCommands,
      maxConsecutiveErrors: d.maxConsecutiveErrors,
      idleTimeoutMs: d.idleTimeoutMs,
      tlsHandshakeTimeoutMs: d.tlsHandshakeTimeoutMs,
      maxLoginFailures: d.maxLoginFailures,
      loginFailureDelayMs: d.loginFailureDelayMs,
      dataIdleTimeoutMs: d.dataIdleTimeoutMs,
      readChunkBytes: d.readChunkBytes,
      maxListEntries: d.maxListEntries,
      data: { pasvPorts: this.opts.pasvPorts, connectTimeoutMs: d.dataConnectTimeoutMs, pasvBindAttempts: d.pasvBindAttempts },
      pasvAddress: this.opts.pasvAddress,
      tls: newContext && tlsOpts ? { newContext, required: Boolean(tlsOpts.required), allowUnresumed: Boolean(tlsOpts.allowUnresumed) } : undefined,
      auth: this.opts.auth,
      allowWrite: Boolean(this.opts.allowWrite),
      onError: this.opts.onError,
    };
  }

  private accept(sock: Socket): void {
    const cfg = this.cfg!;
    const limits = { ...FTP_DEFAULTS, ...this.opts.limits };
    const address = plainAddress(sock.remoteAddress);
    const count = this.perAddress.get(address) ?? 0;
    sock.on('error', () => undefined);
    // Replies are small writes answered by small writes: without this, Nagle and delayed ACKs cost 40 ms a turn.
    sock.setNoDelay(true);
    this.sockets.add(sock);
    sock.once('close', () => this.sockets.delete(sock));
    if (this.sessions.size >= limits.maxConnections || count >= limits.maxConnectionsPerAddress) {
      this.opts.onEvent?.({ event: 'ftp:refused', remote: address, reason: 'too many connections' });
      // RFC 959 §4.2: 421 is the reply that closes the control connection; under implicit TLS it is not sent.
      if (this.opts.implicitTls) sock.destroy();
      else sock.end(formatReply(421, 'Too many connections from your address'));
      return;
    }
    this.perAddress.set(address, count + 1);
    const session = new Session(sock, cfg, (e) => this.opts.onEvent?.(e));
    this.sessions.add(session);
    void session.closedPromise.then(() => {
      this.sessions.delete(session);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    session.start(this.opts.implicitTls ? this.implicitContext && cfg.tls!.newContext() : undefined);
  }
}
