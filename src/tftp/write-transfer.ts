/**
 * The server's side of a write request (RFC 1350 WRQ, only with --tftp-write): a Receiver state machine over its
 * own Endpoint. Data goes to a temporary file that is linked into place only when complete, and never over an
 * existing file (link(2) fails with EEXIST, so there is no check-then-write race).
 */
import { randomBytes } from 'node:crypto';
import { link, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Endpoint, now, type Remote, type TransferTuning } from './endpoint.js';
import { NetasciiDecoder } from './netascii.js';
import { encodeAck, encodeOack, ERR, type TftpPacket, type TransferMode } from './packets.js';
import { Receiver } from './receiver.js';
import type { TransferOptions } from './options.js';
import type { TransferOutcome } from './read-transfer.js';

export class WriteTransfer {
  private readonly endpoint: Endpoint;
  private readonly receiver: Receiver;
  private readonly temp: string;
  private handle?: FileHandle;
  private written = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private readonly decoder?: NetasciiDecoder;
  private settle!: (o: TransferOutcome) => void;
  readonly done: Promise<TransferOutcome>;
  private settled = false;

  constructor(
    private readonly remote: Remote,
    private readonly finalPath: string,
    mode: TransferMode,
    private readonly options: TransferOptions,
    private readonly oack: Map<string, string> | undefined,
    tuning: TransferTuning,
    private readonly maxBytes: number,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.temp = join(dirname(finalPath), `.tandem-tftp-${randomBytes(8).toString('hex')}`);
    if (mode === 'netascii') this.decoder = new NetasciiDecoder();
    this.receiver = new Receiver({ blockSizeBytes: options.blockSizeBytes, windowSize: options.windowSize, timeoutMs: options.timeoutMs, maxRetries: tuning.maxRetries }, now());
    this.endpoint = new Endpoint({
      onPacket: (p, t) => this.onPacket(p, t),
      onTimer: (t) => this.onTimer(t),
      onMalformed: (err) => this.fail(ERR.ILLEGAL, err.message),
    }, tuning.busyPollMicros);
  }

  async start(host: string): Promise<void> {
    this.handle = await open(this.temp, 'wx', 0o644);
    await this.endpoint.open(host, this.remote);
    this.sendOpening();
    this.endpoint.schedule(this.receiver.deadline);
  }

  abort(message: string): void {
    this.fail(ERR.UNDEFINED, message);
  }

  /** RFC 2347: options are answered with OACK; without options the server acknowledges block 0. */
  private sendOpening(): void {
    this.endpoint.send(this.oack && this.oack.size > 0 ? encodeOack(this.oack) : encodeAck(0));
  }

  private onPacket(p: TftpPacket, t: number): void {
    if (p.op === 'error') return this.fail(undefined, `the client sent error ${p.code}: ${p.message}`);
    if (p.op !== 'data') return this.fail(ERR.ILLEGAL, `unexpected ${p.op.toUpperCase()} during a write transfer`);
    const a = this.receiver.onData(p.block, p.data.length, t);
    if (a.accept) {
      this.written += p.data.length;
      if (this.written > this.maxBytes) return this.fail(ERR.DISK_FULL, 'the file is larger than this server accepts');
      const data = this.decoder ? this.decoder.push(p.data) : p.data;
      const at = this.written - p.data.length;
      const position = this.decoder ? null : at;
      this.writes = this.writes.then(() => this.handle!.write(data, 0, data.length, position));
    }
    if (a.done && a.accept) return void this.complete(a.ack!);
    if (a.ack !== undefined) this.endpoint.send(encodeAck(a.ack));
    this.endpoint.schedule(this.receiver.deadline);
  }

  private onTimer(t: number): void {
    if (this.receiver.isDone) return this.endpoint.close(); // the dally after the final ACK is over
    const a = this.receiver.onTimer(t);
    if (a.fail) return this.fail(undefined, a.fail);
    if (a.ack === 0 && this.receiver.blocksReceived === 0) this.sendOpening();
    else if (a.ack !== undefined) this.endpoint.send(encodeAck(a.ack));
    this.endpoint.schedule(this.receiver.deadline);
  }

  /** Writes the tail, links the file into place, then acknowledges the last block and dallies one timeout. */
  private async complete(lastBlock: number): Promise<void> {
    try {
      await this.writes;
      if (this.decoder) {
        const tail = this.decoder.end();
        await this.handle!.write(tail, 0, tail.length, null);
      }
      await this.handle!.close();
      this.handle = undefined;
      await link(this.temp, this.finalPath);
      await unlink(this.temp);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return this.fail(code === 'EEXIST' ? ERR.EXISTS : code === 'ENOSPC' ? ERR.DISK_FULL : ERR.UNDEFINED, code === 'EEXIST' ? 'file already exists' : `write failed: ${(err as Error).message}`);
    }
    this.endpoint.send(encodeAck(lastBlock));
    this.settled = true;
    this.settle({ ok: true, bytes: this.written });
    // RFC 1350 §6: the side that sends the final ACK lingers, to acknowledge the last DATA again if it comes back.
    this.endpoint.schedule(now() + this.options.timeoutMs);
  }

  private fail(errorCode: number | undefined, message: string): void {
    if (this.endpoint.isClosed) return;
    if (this.settled) return this.endpoint.close(); // already complete and dallying: nothing to report
    if (errorCode !== undefined) this.endpoint.sendError(errorCode, message);
    this.endpoint.close();
    const handle = this.handle;
    this.handle = undefined;
    void this.writes.catch(() => undefined).then(() => handle?.close()).catch(() => undefined).then(() => unlink(this.temp)).catch(() => undefined);
    if (!this.settled) {
      this.settled = true;
      this.settle({ ok: false, bytes: this.written, error: message });
    }
  }
}
