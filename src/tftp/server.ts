/**
 * The TFTP server: one UDP socket takes requests (RFC 1350 §4), and each transfer gets its own socket and port.
 *
 * @example
 *   const server = new TftpServer({ root: './boot', port: 6969 });
 *   const { port } = await server.start();
 *   ...
 *   await server.stop();
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { open, readFile, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { resolveInside, SERVED_FILE_FLAGS, tftpPathSegments } from '../http/safe-path.js';
import { SourceLimiter } from '../util/source-limiter.js';
import { BufferSource, FileSource, type BlockSource } from './block-source.js';
import { TFTP_DEFAULTS } from './defaults.js';
import { TftpError } from './errors.js';
import { toNetascii } from './netascii.js';
import { negotiateServer } from './options.js';
import type { TransferTuning } from './endpoint.js';
import { decodePacket, encodeError, ERR, type TftpPacket, type TransferMode } from './packets.js';
import { ReadTransfer, type TransferOutcome } from './read-transfer.js';
import { WriteTransfer } from './write-transfer.js';

export interface TftpServerOptions {
  root: string;
  host?: string;
  port?: number;
  /** Accept write requests (new files only). */
  allowWrite?: boolean;
  maxTransfers?: number;
  /** Transfers at once from one client address (`TFTP_DEFAULTS.maxTransfersPerAddress`). */
  maxTransfersPerAddress?: number;
  /** Datagrams per second one address may send to the request port; 0 turns the limit off. */
  requestsPerSecondPerAddress?: number;
  requestBurstPerAddress?: number;
  timeoutMs?: number;
  maxRetries?: number;
  maxWindowSize?: number;
  /** Microseconds to poll for a client's reply after each send, while its replies come that fast (0: never). */
  busyPollMicros?: number;
  onTransfer?: (report: TransferReport) => void;
}

export interface TransferReport {
  direction: 'read' | 'write';
  /** The file name as the client sent it (untrusted: escape it before printing). */
  file: string;
  mode: TransferMode;
  remote: string;
  outcome: 'ok' | 'error';
  bytes: number;
  error?: string;
  /** When the request arrived (ms since the epoch) and how long the transfer took. */
  startedMs: number;
  seconds: number;
}

type RequestPacket = Extract<TftpPacket, { op: 'rrq' | 'wrq' }>;
type Running = { abort(message: string): void; done: Promise<TransferOutcome> };

/** A request refused before a transfer starts: the ERROR code and text to send (RFC 1350 §5). */
class Refusal {
  constructor(readonly code: number, readonly message: string) {}
}

export class TftpServer {
  private socket?: Socket;
  private realRoot = '';
  private readonly transfers = new Map<string, Running>();
  /** Transfers running per client address (`maxTransfersPerAddress`). */
  private readonly perAddress = new Map<string, number>();
  private readonly limiter: SourceLimiter;
  private host = TFTP_DEFAULTS.host as string;
  /** Datagrams dropped by the per-address limit since start. */
  droppedRequests = 0;

  constructor(private readonly opts: TftpServerOptions) {
    this.limiter = new SourceLimiter({
      perSecond: opts.requestsPerSecondPerAddress ?? TFTP_DEFAULTS.requestsPerSecondPerAddress,
      burst: opts.requestBurstPerAddress ?? TFTP_DEFAULTS.requestBurstPerAddress,
      maxSources: TFTP_DEFAULTS.rateLimitTrackedAddresses,
    });
  }

  async start(): Promise<{ host: string; port: number }> {
    try {
      this.realRoot = await realpath(this.opts.root);
      if (!(await stat(this.realRoot)).isDirectory()) throw new Error('not a folder');
    } catch (err) {
      throw new TftpError('TFTP_CONFIG', `cannot serve ${this.opts.root}: ${(err as Error).message}`, 'input', { cause: err });
    }
    this.host = this.opts.host ?? TFTP_DEFAULTS.host;
    const bufferBytes = TFTP_DEFAULTS.requestSocketBufferBytes;
    const socket = createSocket({ type: this.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: bufferBytes });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => void this.onRequest(msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new TftpError('TFTP_CONFIG', `cannot listen on ${this.host}:${this.opts.port}: ${err.message}`, 'runtime', { cause: err })));
      socket.bind(this.opts.port ?? TFTP_DEFAULTS.port, this.host, () => resolve());
    });
    socket.on('error', () => undefined);
    return { host: socket.address().address, port: socket.address().port };
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    const running = [...this.transfers.values()];
    for (const t of running) t.abort('server shutting down');
    await Promise.all(running.map((t) => t.done));
  }

  get activeTransfers(): number {
    return this.transfers.size;
  }

  private reply(rinfo: RemoteInfo, code: number, message: string): void {
    this.socket?.send(encodeError(code, message), rinfo.port, rinfo.address);
  }

  private async onRequest(msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    // Charged before anything is decoded or answered: a flood from one address costs a map lookup per datagram.
    if (!this.limiter.allow(rinfo.address, Date.now())) {
      this.droppedRequests++;
      return;
    }
    let packet: TftpPacket;
    try {
      packet = decodePacket(msg);
    } catch (err) {
      // Never answer an ERROR with an ERROR (two servers could loop); anything else malformed gets code 4.
      if (msg.length >= 2 && msg.readUInt16BE(0) !== 5) this.reply(rinfo, ERR.ILLEGAL, (err as Error).message);
      return;
    }
    if (packet.op !== 'rrq' && packet.op !== 'wrq') return; // strays from finished transfers: ignore
    const key = `${rinfo.address}|${rinfo.port}`;
    if (this.transfers.has(key)) return; // a retransmitted request for a transfer already running
    if (this.transfers.size >= (this.opts.maxTransfers ?? TFTP_DEFAULTS.maxTransfers)) return this.reply(rinfo, ERR.UNDEFINED, 'server busy, try again later');
    const mine = this.perAddress.get(rinfo.address) ?? 0;
    if (mine >= (this.opts.maxTransfersPerAddress ?? TFTP_DEFAULTS.maxTransfersPerAddress)) return this.reply(rinfo, ERR.UNDEFINED, 'too many transfers from your address, try again later');
    const startedMs = Date.now();
    const placeholder: Running = { abort: () => undefined, done: Promise.resolve({ ok: false, bytes: 0 }) };
    this.transfers.set(key, placeholder);
    this.perAddress.set(rinfo.address, mine + 1);
    try {
      const running = packet.op === 'rrq' ? await this.startRead(packet, rinfo) : await this.startWrite(packet, rinfo);
      this.transfers.set(key, running);
      const outcome = await running.done;
      this.report(packet, rinfo, outcome, startedMs);
    } catch (err) {
      const refusal = err instanceof Refusal ? err : new Refusal(ERR.UNDEFINED, `server error: ${(err as Error).message}`);
      this.reply(rinfo, refusal.code, refusal.message);
      this.report(packet, rinfo, { ok: false, bytes: 0, error: refusal.message }, startedMs);
    } finally {
      this.transfers.delete(key);
      const left = this.perAddress.get(rinfo.address)! - 1;
      if (left > 0) this.perAddress.set(rinfo.address, left);
      else this.perAddress.delete(rinfo.address);
    }
  }

  private report(p: RequestPacket, rinfo: RemoteInfo, o: TransferOutcome, startedMs: number): void {
    const seconds = (Date.now() - startedMs) / 1000;
    this.opts.onTransfer?.({ direction: p.op === 'rrq' ? 'read' : 'write', file: p.filename, mode: p.mode, remote: `${rinfo.address}:${rinfo.port}`, outcome: o.ok ? 'ok' : 'error', bytes: o.bytes, error: o.error, startedMs, seconds });
  }

  private tuning(): TransferTuning {
    return { maxRetries: this.opts.maxRetries ?? TFTP_DEFAULTS.maxRetries, busyPollMicros: this.opts.busyPollMicros ?? TFTP_DEFAULTS.busyPollMicros };
  }

  private limits(): { maxBlockSizeBytes: number; maxWindowSize: number; defaultTimeoutMs: number } {
    return { maxBlockSizeBytes: TFTP_DEFAULTS.maxBlockSizeBytes, maxWindowSize: this.opts.maxWindowSize ?? TFTP_DEFAULTS.maxWindowSize, defaultTimeoutMs: this.opts.timeoutMs ?? TFTP_DEFAULTS.timeoutMs };
  }

  private async startRead(p: RequestPacket, rinfo: RemoteInfo): Promise<Running> {
    const path = await this.locate(p.filename);
    if (!path) throw new Refusal(ERR.NOT_FOUND, 'file not found');
    let source: BlockSource;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new Refusal(ERR.ACCESS, 'not a regular file');
      if (p.mode === 'netascii') {
        if (st.size > TFTP_DEFAULTS.maxNetasciiBytes) throw new Refusal(ERR.ACCESS, 'file too large for netascii mode; use octet');
        source = new BufferSource(toNetascii(await readFile(path, { flag: SERVED_FILE_FLAGS })));
      } else {
        source = new FileSource(await open(path, SERVED_FILE_FLAGS), st.size, TFTP_DEFAULTS.readChunkBytes);
      }
    } catch (err) {
      if (err instanceof Refusal) throw err;
      throw new Refusal((err as NodeJS.ErrnoException).code === 'EACCES' ? ERR.ACCESS : ERR.NOT_FOUND, 'cannot open the file');
    }
    const { oack, options } = negotiateServer(p.options, true, source.sizeBytes, this.limits());
    const t = new ReadTransfer({ address: rinfo.address, port: rinfo.port }, source, options, oack.size > 0 ? oack : undefined, this.tuning());
    try {
      await t.start(this.host);
    } catch (err) {
      await source.close();
      throw err;
    }
    return t;
  }

  private async startWrite(p: RequestPacket, rinfo: RemoteInfo): Promise<Running> {
    if (!this.opts.allowWrite) throw new Refusal(ERR.ACCESS, 'writing is not allowed on this server');
    const verdict = tftpPathSegments(p.filename);
    if (!verdict.ok || verdict.segments.length === 0) throw new Refusal(ERR.ACCESS, 'access violation');
    const parent = await resolveInside(this.realRoot, verdict.segments.slice(0, -1));
    if (parent.kind !== 'found') throw new Refusal(ERR.ACCESS, 'access violation');
    const name = verdict.segments.at(-1)!;
    if (name.startsWith('.tandem-')) throw new Refusal(ERR.ACCESS, 'access violation');
    const finalPath = parent.realPath + sep + name;
    if (await stat(finalPath).then(() => true, (e: NodeJS.ErrnoException) => e.code !== 'ENOENT')) throw new Refusal(ERR.EXISTS, 'file already exists');
    const { oack, options } = negotiateServer(p.options, false, undefined, this.limits());
    const maxBytes = TFTP_DEFAULTS.maxWriteBytes;
    if (options.sizeBytes !== undefined && options.sizeBytes > maxBytes) throw new Refusal(ERR.DISK_FULL, 'the file is larger than this server accepts');
    const t = new WriteTransfer({ address: rinfo.address, port: rinfo.port }, finalPath, p.mode, options, oack.size > 0 ? oack : undefined, this.tuning(), maxBytes);
    await t.start(this.host);
    return t;
  }

  /** The real path of a readable file inside the root, or undefined (missing, outside, or refused). */
  private async locate(filename: string): Promise<string | undefined> {
    const verdict = tftpPathSegments(filename);
    if (!verdict.ok || verdict.segments.length === 0) throw new Refusal(ERR.ACCESS, 'access violation');
    const found = await resolveInside(this.realRoot, verdict.segments);
    if (found.kind === 'forbidden') throw new Refusal(ERR.ACCESS, 'access violation');
    return found.kind === 'found' ? found.realPath : undefined;
  }
}
