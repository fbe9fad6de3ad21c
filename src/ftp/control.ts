/**
 * The client's control connection: connect (in TLS from the start for ftps://, RFC 4217 §4 implicit), read
 * replies through the codec, send commands, log in, and open data connections: EPSV first (RFC 2428 §3), then
 * PASV, whose address is ignored for the control connection's own (as curl does: a server cannot point us at a
 * third host), with TLS resuming the control session (RFC 4217 §10).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { ReplyParser, type Reply } from './codec.js';
import { FtpError } from './errors.js';
import { parseEpsvReply, parsePasvReply } from './rfc2428.js';

export interface ControlOptions {
  host: string;
  port: number;
  implicitTls: boolean;
  replyTimeoutMs: number;
  signal?: AbortSignal;
}

export class FtpControl {
  private socket!: Socket | TLSSocket;
  private readonly parser = new ReplyParser();
  private readonly replies: Reply[] = [];
  private waiter: ((r: Reply | Error) => void) | undefined;
  private failure: Error | undefined;
  private tlsSession: Buffer | undefined;
  features = new Set<string>();

  constructor(private readonly opts: ControlOptions) {}

  get tls(): boolean {
    return this.opts.implicitTls;
  }

  async connect(): Promise<void> {
    const { host, port } = this.opts;
    this.socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const servername = isIP(host) ? undefined : host;
      const sock = this.opts.implicitTls ? tlsConnect({ host, port, servername }, () => resolve(sock)) : netConnect({ host, port }, () => resolve(sock));
      sock.once('error', (err) => reject(new FtpError(this.opts.implicitTls ? 'FTP_TLS' : 'FTP_REPLY', `cannot connect to ${host}:${port}: ${err.message}`, 'runtime', { cause: err })));
    });
    if (this.opts.implicitTls) (this.socket as TLSSocket).on('session', (s: Buffer) => (this.tlsSession = s));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(new FtpError('FTP_PROTOCOL', `control connection: ${err.message}`, 'runtime', { cause: err })));
    this.socket.on('close', () => this.fail(new FtpError('FTP_PROTOCOL', 'the server closed the control connection')));
    this.opts.signal?.addEventListener('abort', () => this.socket.destroy(), { once: true });
    const greeting = await this.next();
    if (greeting.code !== 220) throw replyError('connect', greeting);
  }

  private onData(chunk: Buffer): void {
    try {
      for (const r of this.parser.push(chunk)) this.deliver(r);
    } catch (err) {
      this.fail(new FtpError('FTP_PROTOCOL', (err as Error).message));
      this.socket.destroy();
    }
  }

  private deliver(r: Reply | Error): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(r);
    } else if (!(r instanceof Error)) this.replies.push(r);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.deliver(err);
  }

  /** The next reply, or a timeout / connection error. */
  next(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new FtpError('FTP_TIMEOUT', `no reply from the server in ${this.opts.replyTimeoutMs / 1000} s`));
      }, this.opts.replyTimeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
    });
  }

  /** Sends one command and returns its final reply (skipping none: 1xx replies are returned too). */
  async send(line: string): Promise<Reply> {
    if (/[\r\n]/.test(line)) throw new FtpError('FTP_BAD_URL', 'a name with a line break cannot be sent', 'input');
    this.socket.write(line + '\r\n');
    return this.next();
  }

  /** Sends a command that must be answered with one of `ok`. */
  async expect(line: string, ok: readonly number[]): Promise<Reply> {
    const r = await this.send(line);
    if (!ok.includes(r.code)) throw replyError(line.startsWith('PASS ') ? 'PASS' : line, r);
    return r;
  }

  async login(user: string, pass: string): Promise<void> {
    const r = await this.expect(`USER ${user}`, [230, 331]);
    if (r.code === 331) await this.expect(`PASS ${pass}`, [230, 202]);
    const feat = await this.send('FEAT');
    if (feat.code === 211) for (const l of feat.lines.slice(1, -1)) this.features.add(l.trim().split(' ')[0]!.toUpperCase());
    if (this.opts.implicitTls) {
      await this.expect('PBSZ 0', [200]);
      await this.expect('PROT P', [200]);
    }
    await this.expect('TYPE I', [200]);
  }

  /**
   * A data connection: EPSV, else PASV with the control host. Under ftps the TLS handshake starts at once and is
   * awaited only after the transfer command (`secure`), so a server that wraps the connection when the command
   * comes (as ours does) is not kept waiting; the handshake resumes the control session (RFC 4217 §10).
   */
  async openData(): Promise<{ socket: Socket | TLSSocket; secure: () => Promise<void> }> {
    let port: number | undefined;
    const e = await this.send('EPSV');
    if (e.code === 229) port = parseEpsvReply(e.lines.join(' '));
    else {
      const p = await this.expect('PASV', [227]);
      port = parsePasvReply(p.lines.join(' '))?.port;
    }
    if (port === undefined) throw new FtpError('FTP_PROTOCOL', 'cannot read the passive port from the reply');
    const host = this.opts.host;
    const raw = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port }, () => resolve(s));
      s.once('error', (err) => reject(new FtpError('FTP_REPLY', `cannot open the data connection: ${err.message}`)));
    });
    if (!this.opts.implicitTls) return { socket: raw, secure: () => Promise.resolve() };
    const servername = isIP(host) ? undefined : host;
    const t = tlsConnect({ socket: raw, servername, session: this.tlsSession });
    const handshake = new Promise<void>((resolve, reject) => {
      t.once('secureConnect', () => resolve());
      t.once('error', (err) => reject(new FtpError('FTP_TLS', `TLS on the data connection failed: ${err.message}`, 'runtime', { cause: err })));
    });
    handshake.catch(() => undefined);
    return { socket: t, secure: () => handshake };
  }

  async quit(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      this.socket.write('QUIT\r\n');
      await Promise.race([this.next(), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    } catch {
      /* closing anyway */
    } finally {
      clearTimeout(timer);
    }
    this.socket.destroy();
  }

  destroy(): void {
    this.socket?.destroy();
  }
}

export function replyError(command: string, r: Reply): FtpError {
  return new FtpError('FTP_REPLY', `${command.split(' ')[0]}: the server answered ${r.code} ${r.lines.join(' ').slice(0, 200)}`);
}
