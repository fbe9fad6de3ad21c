/** The server's side of a read request (RFC 1350 RRQ): a Sender state machine driven over its own Endpoint. */
import type { BlockSource } from './block-source.js';
import { Endpoint, now, type Remote, type TransferTuning } from './endpoint.js';
import { dataHeader, encodeOack, ERR, type TftpPacket } from './packets.js';
import { Sender, type SenderAction } from './sender.js';
import type { TransferOptions } from './options.js';

export interface TransferOutcome {
  ok: boolean;
  bytes: number;
  error?: string;
}

export class ReadTransfer {
  private readonly endpoint: Endpoint;
  private readonly sender: Sender;
  private queue: Promise<void> = Promise.resolve();
  private settle!: (o: TransferOutcome) => void;
  readonly done: Promise<TransferOutcome>;

  constructor(
    private readonly remote: Remote,
    private readonly source: BlockSource,
    options: TransferOptions,
    private readonly oack: Map<string, string> | undefined,
    tuning: TransferTuning,
  ) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    this.sender = new Sender({ blockSizeBytes: options.blockSizeBytes, windowSize: options.windowSize, timeoutMs: options.timeoutMs, maxRetries: tuning.maxRetries, totalBytes: source.sizeBytes, withOack: oack !== undefined && oack.size > 0 });
    this.endpoint = new Endpoint({
      onPacket: (p, t) => this.onPacket(p, t),
      onTimer: (t) => this.act(this.sender.onTimer(t)),
      onMalformed: (err) => this.finish(ERR.ILLEGAL, err.message),
    }, tuning.busyPollMicros);
  }

  async start(host: string): Promise<void> {
    await this.endpoint.open(host, this.remote);
    this.act(this.sender.start(now()));
  }

  /** Ends the transfer early (server shutdown). */
  abort(message: string): void {
    this.finish(ERR.UNDEFINED, message);
  }

  private onPacket(p: TftpPacket, t: number): void {
    if (p.op === 'ack') return this.act(this.sender.onAck(p.block, t));
    if (p.op === 'error') return this.finish(undefined, `the client sent error ${p.code}: ${p.message}`);
    this.finish(ERR.ILLEGAL, `unexpected ${p.op.toUpperCase()} during a read transfer`);
  }

  private act(a: SenderAction): void {
    if (a.kind === 'idle') return this.endpoint.schedule(this.sender.deadline);
    if (a.kind === 'done') return this.finish();
    if (a.kind === 'fail') return this.finish(undefined, a.reason);
    this.endpoint.schedule(this.sender.deadline);
    let b = a.first;
    if (b === 0) {
      this.endpoint.send(encodeOack(this.oack!));
      return;
    }
    // Fast path: blocks already in the read cache go out synchronously, the rest after the read completes.
    for (; b <= a.last; b++) {
      const { offset, length } = this.sender.span(b);
      const data = this.source.slice(offset, length);
      if (data instanceof Promise) break;
      this.endpoint.send([dataHeader(b), data]);
    }
    if (b <= a.last) this.sendLater(b, a.last);
  }

  private sendLater(first: number, last: number): void {
    this.queue = this.queue.then(async () => {
      for (let b = first; b <= last && !this.endpoint.isClosed; b++) {
        const { offset, length } = this.sender.span(b);
        this.endpoint.send([dataHeader(b), await this.source.slice(offset, length)]);
      }
    }).catch((err: Error) => this.finish(ERR.UNDEFINED, `read failed: ${err.message}`));
  }

  private finish(errorCode?: number, message?: string): void {
    if (this.endpoint.isClosed) return;
    if (errorCode !== undefined) this.endpoint.sendError(errorCode, message ?? 'error');
    this.endpoint.close();
    void this.source.close().catch(() => undefined);
    this.settle(message === undefined ? { ok: true, bytes: this.source.sizeBytes } : { ok: false, bytes: 0, error: message });
  }
}
