/**
 * One session's data connection (RFC 959 §3.2, §3.3): a passive listener (PASV, EPSV) or an active connect (PORT,
 * EPRT), and, under `PROT P`, TLS on top (RFC 4217 §9, §10). The security rules live here:
 * - a passive connection is taken only from the control connection's address, and only one per PASV/EPSV; others
 *   are closed at once. The listener itself stays open for a moment after its connection came, so that the next
 *   PASV of a client fetching many files (a mirror asks once per file) reuses it instead of binding a new port
 *   (not with `--ftp-pasv-ports`, whose few ports all sessions share);
 * - PORT/EPRT may name only the client's own address and a port ≥ 1024 (RFC 2577 §3, the bounce attack);
 * - a data connection that does not come within the timeout ends the transfer with 425;
 * - a TLS data connection must resume the control connection's session (RFC 4217 §10.2 lets a server require
 *   it; vsftpd does so), proving that the peer on the data port is the one that logged in. The check is made
 *   before a byte is written: OpenSSL may finish a TLS 1.3 handshake inside the server's first write.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { adoptWithReads, connectWithReads, type OwnReads } from './read-buffers.js';
import { plainAddress, type HostPort } from './rfc2428.js';

export interface DataChannelConfig {
  /** `--ftp-pasv-ports A-B`: passive ports are taken from this range only. */
  pasvPorts?: readonly [number, number];
  connectTimeoutMs: number;
  pasvBindAttempts: number;
}

/** Why a data connection could not be used: the reply code and text to send (RFC 959 §4.2, RFC 4217 §9). */
export class DataFailure extends Error {
  constructor(
    readonly replyCode: number,
    readonly replyText: string,
  ) {
    super(replyText);
  }
}

const ignore = (): void => undefined;

/** A passive listener that no PASV/EPSV has asked for again within this long is closed. */
const PASV_LINGER_MS = 2_000;

export class DataChannel {
  private listener: Server | undefined;
  private listenerPort = 0;
  /** True from PASV/EPSV until its connection comes: only then is a connection to the listener taken. */
  private armed = false;
  private linger: NodeJS.Timeout | undefined;
  private pending: Socket | undefined;
  private waiter: ((s: Socket | undefined) => void) | undefined;
  private active: HostPort | undefined;
  /** The control connection's peer: the only address a passive connection is taken from. */
  private readonly clientAddress: string;

  constructor(
    private readonly control: { remoteAddress: string; localAddress: string },
    private readonly cfg: DataChannelConfig,
    private readonly onForeignConnection: (address: string) => void,
  ) {
    this.clientAddress = plainAddress(control.remoteAddress);
  }

  /** True from PASV/EPSV until its connection comes. */
  get awaitingConnection(): boolean {
    return this.armed;
  }

  /** True when PASV, EPSV, PORT or EPRT has prepared a connection for the next transfer. */
  get prepared(): boolean {
    return this.armed || this.pending !== undefined || this.active !== undefined;
  }

  /**
   * PASV/EPSV when a listener lingers from the previous transfer: arms it again and returns its port at once (a
   * mirror asks once per file). Undefined when there is none: then `listen()` binds one.
   */
  reuse(): number | undefined {
    if (!this.listener) return undefined;
    this.dropUnused();
    this.armed = true; // the linger timer may fire meanwhile: an armed listener is never closed
    return this.listenerPort;
  }

  /** Opens (or reuses) a passive listener on the control connection's local address; resolves with its port. */
  async listen(): Promise<number> {
    const reused = this.reuse();
    if (reused !== undefined) return reused;
    this.dropUnused();
    const server = createServer({ pauseOnConnect: true }, (sock) => this.onConnection(server, sock));
    server.on('error', () => undefined);
    const [low, high] = this.cfg.pasvPorts ?? [0, 0];
    const attempts = low === 0 ? 1 : Math.min(this.cfg.pasvBindAttempts, high - low + 1);
    for (let i = 0; i < attempts; i++) {
      const port = low === 0 ? 0 : low + Math.floor(Math.random() * (high - low + 1));
      if (await bind(server, this.control.localAddress, port)) {
        this.listener = server;
        this.armed = true;
        this.listenerPort = (server.address() as { port: number }).port;
        return this.listenerPort;
      }
    }
    throw new DataFailure(425, 'Cannot open a passive port');
  }

  /** PORT/EPRT: the next transfer connects out to this address, which must be the client's and not privileged. */
  setActive(target: HostPort): DataFailure | undefined {
    if (plainAddress(target.host) !== this.clientAddress) return new DataFailure(500, 'Illegal PORT command: the address is not yours');
    if (target.port < 1024) return new DataFailure(500, 'Illegal PORT command: privileged port');
    this.reset();
    this.active = target;
    return undefined;
  }

  /**
   * The data connection for one transfer: the passive one (waiting for it) or a connect out. With `reads`, the
   * socket reads into those buffers when it can (read-buffers.ts); the caller checks whether it does.
   */
  async open(signal: AbortSignal, reads?: OwnReads): Promise<Socket> {
    const target = this.active;
    this.active = undefined;
    if (target) return this.connectOut(target, signal, reads);
    const sock = await this.accepted(signal);
    return (reads && adoptWithReads(sock, reads)) || sock;
  }

  /**
   * The passive connection when it has already come (a mirroring client connects before it sends RETR), taken for
   * a transfer that starts now; undefined otherwise, and then `open()` waits for it or connects out.
   */
  takeArrived(): Socket | undefined {
    return this.pending ? this.take() : undefined;
  }

  private async accepted(signal: AbortSignal): Promise<Socket> {
    if (this.pending) return this.take();
    if (!this.armed) throw new DataFailure(425, 'Use PASV, EPSV, PORT or EPRT first');
    const sock = await new Promise<Socket | undefined>((resolve) => {
      const timer = setTimeout(() => done(undefined), this.cfg.connectTimeoutMs);
      const done = (s: Socket | undefined): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiter = undefined;
        resolve(s);
      };
      const onAbort = (): void => done(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = done;
    });
    if (!sock) {
      this.reset();
      throw new DataFailure(425, signal.aborted ? 'Transfer aborted' : 'No data connection came');
    }
    this.pending = undefined;
    return sock;
  }

  /** Closes the listener and any connection not yet used. */
  reset(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    this.listener?.close();
    this.listener = undefined;
    this.armed = false;
    this.dropUnused();
  }

  /** Forgets the connection the last PASV/EPSV or PORT/EPRT prepared and no transfer used. */
  private dropUnused(): void {
    this.pending?.destroy();
    this.pending = undefined;
    this.active = undefined;
  }

  private take(): Socket {
    const s = this.pending!;
    this.pending = undefined;
    return s;
  }

  private onConnection(server: Server, sock: Socket): void {
    sock.on('error', ignore);
    const expected = this.listener === server && this.armed && !this.pending;
    if (!expected || plainAddress(sock.remoteAddress) !== this.clientAddress) {
      if (expected) this.onForeignConnection(sock.remoteAddress ?? '?');
      sock.destroy();
      return;
    }
    // One connection per PASV/EPSV. The listener waits a moment for the next PASV, then closes (one timer per
    // listener, restarted by each connection); a port from --ftp-pasv-ports is shared by every session, so it is
    // given back at once.
    this.armed = false;
    if (this.cfg.pasvPorts) this.closeIdleListener();
    else if (this.linger) this.linger.refresh();
    else {
      this.linger = setTimeout(() => this.closeIdleListener(), PASV_LINGER_MS);
      this.linger.unref();
    }
    if (this.waiter) this.waiter(sock);
    else this.pending = sock;
  }

  private closeIdleListener(): void {
    if (this.armed || !this.listener) return;
    this.listener.close();
    this.listener = undefined;
    clearTimeout(this.linger);
    this.linger = undefined;
  }

  private connectOut(target: HostPort, signal: AbortSignal, reads: OwnReads | undefined): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const to = { host: target.host, port: target.port, localAddress: this.control.localAddress };
      const sock = reads ? connectWithReads(to, reads) : connect(to);
      const timer = setTimeout(() => fail('No data connection: the connect timed out'), this.cfg.connectTimeoutMs);
      const fail = (text: string): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        sock.destroy();
        reject(new DataFailure(425, text));
      };
      const onAbort = (): void => fail('Transfer aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      sock.once('error', () => fail('Cannot open the data connection'));
      sock.once('connect', () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        sock.pause();
        resolve(sock);
      });
    });
  }
}

function bind(server: Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/**
 * TLS on a data connection as the server (RFC 4217 §10): resolves when the handshake is done and, unless
 * `allowUnresumed`, only when the client resumed a session of this control connection's context.
 */
export function secureData(sock: Socket, context: SecureContext, allowUnresumed: boolean, timeoutMs: number, signal: AbortSignal): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tls = new TLSSocket(sock, { isServer: true, secureContext: context });
    const timer = setTimeout(() => fail('TLS handshake on the data connection timed out'), timeoutMs);
    const fail = (text: string): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      tls.destroy();
      reject(new DataFailure(522, text));
    };
    const onAbort = (): void => fail('Transfer aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    tls.once('error', (err) => fail(`TLS handshake on the data connection failed: ${err.message}`));
    tls.once('secure', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      tls.on('error', () => undefined);
      if (!allowUnresumed && !tls.isSessionReused()) return fail('TLS session of the data connection was not resumed from the control connection');
      resolve(tls);
    });
  });
}
