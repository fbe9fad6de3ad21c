// A minimal Redis client: RESP2 commands over one TCP connection, pipelined (replies come back in order).
// Small on purpose: the tracker needs EVALSHA, a handful of reads and binary-safe strings, nothing more.
import { connect, type Socket } from 'node:net';
import { TrackerError } from '../errors.js';

export type RespValue = null | number | Buffer | RespValue[] | RespError;

/** An error reply (`-ERR ...`); returned as a value inside arrays, thrown at the top level. */
export class RespError {
  constructor(readonly message: string) {}
}

/** Replies are from our own Redis, but a length is still checked before anything is allocated. */
const MAX_BULK_BYTES = 64 * 1024 * 1024;
const MAX_ARRAY_ITEMS = 1_000_000;
const INCOMPLETE = Symbol('incomplete');

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('connection to Redis closed')));
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TrackerError('TRACKER_STORE', `Redis at ${host}:${port} did not answer in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespClient(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new TrackerError('TRACKER_STORE', `cannot reach Redis at ${host}:${port}: ${err.message}`, 'runtime', { cause: err }));
      });
    });
  }

  /** Sends one command; resolves with its reply, rejects on an error reply or a lost connection. */
  command(args: (string | Buffer | number)[]): Promise<RespValue> {
    if (this.closed) return Promise.reject(new TrackerError('TRACKER_STORE', 'Redis connection is closed'));
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
      parts.push(Buffer.from(`$${b.length}\r\n`), b, CRLF);
    }
    return new Promise<RespValue>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(Buffer.concat(parts));
    }).then((v) => {
      if (v instanceof RespError) throw new TrackerError('TRACKER_STORE', `Redis: ${v.message}`);
      return v;
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private onData(d: Buffer): void {
    this.buffer = this.buffer.length === 0 ? d : Buffer.concat([this.buffer, d]);
    let at = 0;
    for (;;) {
      let parsed: { value: RespValue; end: number } | typeof INCOMPLETE;
      try {
        parsed = parse(this.buffer, at);
      } catch (err) {
        this.socket.destroy();
        this.failAll(err as Error);
        return;
      }
      if (parsed === INCOMPLETE) break;
      at = parsed.end;
      this.pending.shift()?.resolve(parsed.value);
    }
    this.buffer = at === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(at);
  }

  private failAll(err: Error): void {
    this.closed = true;
    const e = err instanceof TrackerError ? err : new TrackerError('TRACKER_STORE', `Redis: ${err.message}`, 'runtime', { cause: err });
    for (const p of this.pending.splice(0)) p.reject(e);
  }
}

const CRLF = Buffer.from('\r\n');

function line(b: Buffer, at: number): { text: string; end: number } | typeof INCOMPLETE {
  const nl = b.indexOf(CRLF, at);
  if (nl < 0) {
    if (b.length - at > 64 * 1024) throw new Error('Redis reply line too long');
    return INCOMPLETE;
  }
  return { text: b.toString('latin1', at, nl), end: nl + 2 };
}

function parse(b: Buffer, at: number): { value: RespValue; end: number } | typeof INCOMPLETE {
  if (at >= b.length) return INCOMPLETE;
  const type = b[at];
  const l = line(b, at + 1);
  if (l === INCOMPLETE) return INCOMPLETE;
  switch (type) {
    case 0x2b: // '+' simple string
      return { value: Buffer.from(l.text, 'latin1'), end: l.end };
    case 0x2d: // '-' error
      return { value: new RespError(l.text), end: l.end };
    case 0x3a: // ':' integer
      return { value: Number(l.text), end: l.end };
    case 0x24: { // '$' bulk string
      const n = Number(l.text);
      if (n === -1) return { value: null, end: l.end };
      if (!Number.isInteger(n) || n < 0 || n > MAX_BULK_BYTES) throw new Error(`bad Redis bulk length ${l.text}`);
      if (b.length < l.end + n + 2) return INCOMPLETE;
      return { value: b.subarray(l.end, l.end + n), end: l.end + n + 2 };
    }
    case 0x2a: { // '*' array
      const n = Number(l.text);
      if (n === -1) return { value: null, end: l.end };
      if (!Number.isInteger(n) || n < 0 || n > MAX_ARRAY_ITEMS) throw new Error(`bad Redis array length ${l.text}`);
      const items: RespValue[] = [];
      let end = l.end;
      for (let i = 0; i < n; i++) {
        const item = parse(b, end);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`unexpected Redis reply type 0x${(type ?? 0).toString(16)}`);
  }
}
