// A raw FTP control connection for tests: send exact bytes, read replies one by one, upgrade to TLS, open data
// connections, and see when the server closes.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ReplyParser, type Reply } from '../../src/ftp/index.js';

export class RawFtp {
  private parser = new ReplyParser();
  private replies: Reply[] = [];
  private waiters: ((r: Reply | undefined) => void)[] = [];
  private ended = false;
  readonly closed: Promise<void>;
  socket: Socket | TLSSocket;
  session: Buffer | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.attach(socket);
  }

  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawFtp> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, localAddress }, () => resolve(new RawFtp(s)));
      s.once('error', reject);
    });
  }

  static async openTls(port: number, ca: Buffer, host = '127.0.0.1'): Promise<RawFtp> {
    const raw = await RawFtp.open(port, host);
    raw.detach();
    await raw.secure(ca);
    return raw;
  }

  private onData = (d: Buffer): void => {
    for (const r of this.parser.push(d)) this.deliver(r);
  };

  private attach(s: Socket | TLSSocket): void {
    s.on('data', this.onData);
    s.on('error', () => undefined);
    s.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
  }

  private detach(): void {
    this.socket.off('data', this.onData);
  }

  private deliver(r: Reply): void {
    const w = this.waiters.shift();
    if (w) w(r);
    else this.replies.push(r);
  }

  /** The next reply; undefined when the server closed the connection first. Fails after `timeoutMs`. */
  reply(timeoutMs = 10_000): Promise<Reply | undefined> {
    const r = this.replies.shift();
    if (r || this.ended) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async cmd(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    const r = await this.reply();
    if (!r) throw new Error(`connection closed after ${line}`);
    return r;
  }

  /** AUTH TLS's second half: TLS over the control connection (RFC 4217 §4). */
  async secure(ca: Buffer): Promise<void> {
    this.detach();
    const t = tlsConnect({ socket: this.socket as Socket, ca, servername: 'localhost' });
    t.on('session', (s: Buffer) => (this.session = s));
    await new Promise<void>((resolve, reject) => {
      t.once('secureConnect', () => resolve());
      t.once('error', reject);
    });
    this.socket = t;
    this.attach(t);
  }

  /** EPSV, then a connection to the port it names. */
  async passive(localAddress?: string): Promise<Socket> {
    const r = await this.cmd('EPSV');
    if (r.code !== 229) throw new Error(`EPSV: ${r.code} ${r.lines.join(' ')}`);
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(r.lines[0]!)![1]);
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: this.socket.remoteAddress, localAddress }, () => resolve(s));
      s.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Everything a data connection carries until it ends (or is closed). */
export function readAll(s: Socket | TLSSocket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => undefined);
    s.once('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** TLS on a data connection, resuming `session` when given. */
export function secureData(s: Socket, ca: Buffer, session?: Buffer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tlsConnect({ socket: s, ca, servername: 'localhost', session });
    t.once('secureConnect', () => resolve(t));
    t.once('error', reject);
  });
}
