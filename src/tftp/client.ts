/**
 * The TFTP client behind `tandem get tftp://`: a read request with blksize, windowsize, tsize and timeout options
 * (RFC 2347-2349, 7440), a Receiver state machine over one socket, and the data written to a file as it arrives.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { TFTP_DEFAULTS } from './defaults.js';
import { Endpoint, now, type Remote } from './endpoint.js';
import { TftpError } from './errors.js';
import { NetasciiDecoder } from './netascii.js';
import { acceptOack, type TransferOptions } from './options.js';
import { encodeAck, encodeError, encodeRequest, ERR, type TftpPacket, type TransferMode } from './packets.js';
import { Receiver } from './receiver.js';

export interface TftpGetOptions {
  host: string;
  port: number;
  file: string;
  /** Where to save; written to `<outPath>.part` first and renamed when complete. */
  outPath: string;
  mode?: TransferMode;
  blockSizeBytes?: number;
  windowSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** Microseconds to poll for the server's next packet after each ACK, while it answers that fast (0: never). */
  busyPollMicros?: number;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface TftpGetResult {
  bytes: number;
  options: TransferOptions;
}

/** Parses `tftp://host[:port]/path[;mode=netascii]` (RFC 3617). */
export function parseTftpUrl(text: string): { host: string; port: number; file: string; mode: TransferMode } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TftpError('TFTP_BAD_URL', `"${text}" is not a URL`, 'input');
  }
  if (url.protocol !== 'tftp:' || !url.hostname) throw new TftpError('TFTP_BAD_URL', `"${text}" is not a tftp:// URL with a host`, 'input');
  let path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  let mode: TransferMode = 'octet';
  const m = /;mode=(octet|netascii)$/i.exec(path);
  if (m) {
    mode = m[1]!.toLowerCase() as TransferMode;
    path = path.slice(0, m.index);
  }
  if (!path) throw new TftpError('TFTP_BAD_URL', `"${text}" names no file`, 'input');
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 69, file: path, mode };
}

export function tftpGet(opts: TftpGetOptions): Promise<TftpGetResult> {
  return new TftpDownload(opts).run();
}

class TftpDownload {
  private readonly endpoint: Endpoint;
  private readonly asked = new Map<string, string>();
  private readonly request: Buffer;
  private receiver?: Receiver;
  private options: TransferOptions;
  private handle?: FileHandle;
  private writes: Promise<unknown> = Promise.resolve();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private bytes = 0;
  private requestRetries = 0;
  private readonly decoder?: NetasciiDecoder;
  private resolve!: (r: TftpGetResult) => void;
  private reject!: (e: unknown) => void;
  private readonly server: Remote;

  constructor(private readonly opts: TftpGetOptions) {
    const timeoutMs = opts.timeoutMs ?? TFTP_DEFAULTS.timeoutMs;
    this.options = { blockSizeBytes: TFTP_DEFAULTS.blockSizeBytes, windowSize: 1, timeoutMs };
    const blk = opts.blockSizeBytes ?? TFTP_DEFAULTS.clientBlockSizeBytes;
    if (blk !== TFTP_DEFAULTS.blockSizeBytes) this.asked.set('blksize', String(blk));
    if ((opts.windowSize ?? 1) > 1) this.asked.set('windowsize', String(opts.windowSize));
    this.asked.set('tsize', '0');
    this.asked.set('timeout', String(Math.max(1, Math.round(timeoutMs / 1000))));
    this.request = encodeRequest('rrq', opts.file, opts.mode ?? 'octet', this.asked);
    if (opts.mode === 'netascii') this.decoder = new NetasciiDecoder();
    this.server = { address: opts.host, port: opts.port };
    this.endpoint = new Endpoint({ onPacket: (p, t) => this.onPacket(p, t), onTimer: (t) => this.onTimer(t), onMalformed: (e) => this.fail(e, ERR.ILLEGAL) }, opts.busyPollMicros ?? TFTP_DEFAULTS.busyPollMicros);
  }

  async run(): Promise<TftpGetResult> {
    const done = new Promise<TftpGetResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    try {
      this.handle = await open(this.opts.outPath + '.part', 'w');
      await this.endpoint.open(this.opts.host.includes(':') ? '::' : '0.0.0.0');
    } catch (err) {
      this.fail(new TftpError('TFTP_IO', `cannot start: ${(err as Error).message}`, 'runtime', { cause: err }));
      return done;
    }
    this.opts.signal?.addEventListener('abort', () => this.fail(new TftpError('TFTP_TIMEOUT', 'interrupted'), ERR.UNDEFINED), { once: true });
    // The request goes to the server's well-known port; its answer comes from a fresh port (RFC 1350 §4).
    this.endpoint.send(this.request, this.server);
    this.endpoint.schedule(now() + this.options.timeoutMs);
    return done;
  }

  private onPacket(p: TftpPacket, t: number): void {
    // A refusal is a failure at run time (exit 1), as an HTTP 404 is for `get http://`: the URL itself was well formed.
    if (p.op === 'error') return this.fail(new TftpError('TFTP_REMOTE', `the server refused: ${p.message || 'error'} (TFTP error ${p.code})`, 'runtime'));
    if (p.op === 'oack' && !this.receiver) {
      try {
        this.options = acceptOack(this.asked, p.options, this.options.timeoutMs);
      } catch (err) {
        return this.fail(err, ERR.OPTION);
      }
      this.startReceiving(t);
      this.endpoint.send(encodeAck(0)); // RFC 2347 §3: the client acknowledges the OACK with ACK 0
      return;
    }
    if (p.op !== 'data') return;
    // A server that ignores options answers with DATA 1 at the RFC 1350 defaults.
    if (!this.receiver) this.startReceiving(t);
    const a = this.receiver!.onData(p.block, p.data.length, t);
    if (a.accept) this.take(p.data);
    if (a.ack !== undefined) this.endpoint.send(encodeAck(a.ack));
    if (a.done && a.accept) return void this.finish();
    this.endpoint.schedule(this.receiver!.deadline);
  }

  private startReceiving(t: number): void {
    this.receiver = new Receiver({ blockSizeBytes: this.options.blockSizeBytes, windowSize: this.options.windowSize, timeoutMs: this.options.timeoutMs, maxRetries: this.opts.maxRetries ?? TFTP_DEFAULTS.maxRetries }, t);
  }

  private onTimer(t: number): void {
    if (!this.receiver) {
      if (++this.requestRetries > (this.opts.maxRetries ?? TFTP_DEFAULTS.maxRetries)) return this.fail(new TftpError('TFTP_TIMEOUT', `no answer from ${this.opts.host}:${this.opts.port}`));
      this.endpoint.send(this.request, this.server);
      return this.endpoint.schedule(t + this.options.timeoutMs);
    }
    const a = this.receiver.onTimer(t);
    if (a.fail) return this.fail(new TftpError('TFTP_TIMEOUT', `transfer stalled: ${a.fail}`));
    if (a.ack !== undefined) this.endpoint.send(encodeAck(a.ack));
    this.endpoint.schedule(this.receiver.deadline);
  }

  /** Blocks arrive in order; they are gathered and written in large batches. */
  private take(data: Buffer): void {
    this.bytes += data.length;
    const chunk = this.decoder ? this.decoder.push(data) : data;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= 256 * 1024) this.flush();
    this.opts.onProgress?.(this.bytes, this.options.sizeBytes ?? this.bytes);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const handle = this.handle!;
    this.writes = this.writes.then(() => handle.writev(batch));
  }

  private async finish(): Promise<void> {
    this.endpoint.close();
    try {
      if (this.decoder) this.pending.push(this.decoder.end());
      this.flush();
      await this.writes;
      await this.handle!.close();
      this.handle = undefined;
      await rename(this.opts.outPath + '.part', this.opts.outPath);
    } catch (err) {
      return this.fail(new TftpError('TFTP_IO', `writing ${this.opts.outPath} failed: ${(err as Error).message}`, 'runtime', { cause: err }));
    }
    this.opts.onProgress?.(this.bytes, this.bytes);
    this.resolve({ bytes: this.bytes, options: this.options });
  }

  private fail(err: unknown, sendCode?: number): void {
    if (sendCode !== undefined && this.endpoint.remote && !this.endpoint.isClosed) {
      this.endpoint.send(encodeError(sendCode, err instanceof Error ? err.message : 'error'));
    }
    this.endpoint.close();
    const handle = this.handle;
    this.handle = undefined;
    void this.writes.catch(() => undefined).then(() => handle?.close()).then(() => unlink(this.opts.outPath + '.part')).catch(() => undefined);
    this.reject(err);
  }
}
