/**
 * The sending side of one transfer (a server answering RRQ), as a pure state machine: time comes in as a number,
 * actions come out. Windowed sending per RFC 7440, retransmission on timeout with a retry cap, and block numbers
 * tracked as absolute indexes so they roll over past 65535 on the wire.
 *
 * Block 0 stands for the OACK (RFC 2347 §3: the client acknowledges it with ACK 0).
 */

export interface SenderInit {
  blockSizeBytes: number;
  windowSize: number;
  timeoutMs: number;
  maxRetries: number;
  totalBytes: number;
  /** True when an OACK opens the transfer and must be acknowledged with ACK 0 first. */
  withOack: boolean;
}

export type SenderAction =
  | { kind: 'send'; first: number; last: number } // absolute blocks first..last, inclusive (0 = the OACK)
  | { kind: 'done' }
  | { kind: 'fail'; reason: string }
  | { kind: 'idle' };

export class Sender {
  /** RFC 1350 §6: the last DATA is shorter than a block; a file that fills whole blocks ends with an empty one. */
  readonly blockCount: number;
  private acked: number;
  private highestSent: number;
  private retries = 0;
  private deadlineMs = Infinity;
  private finished = false;

  constructor(private readonly init: SenderInit) {
    this.blockCount = Math.floor(init.totalBytes / init.blockSizeBytes) + 1;
    this.acked = init.withOack ? -1 : 0;
    this.highestSent = this.acked;
  }

  /** Wire number of an absolute block: RFC 1350 block numbers are 16 bits and wrap to 0. */
  static wire(block: number): number {
    return block & 0xffff;
  }

  /** Byte span of an absolute data block (block ≥ 1). */
  span(block: number): { offset: number; length: number } {
    const offset = (block - 1) * this.init.blockSizeBytes;
    return { offset, length: Math.max(0, Math.min(this.init.blockSizeBytes, this.init.totalBytes - offset)) };
  }

  get deadline(): number {
    return this.deadlineMs;
  }

  start(nowMs: number): SenderAction {
    return this.sendWindow(nowMs);
  }

  /**
   * An ACK from the client. Only an ACK that moves the window forward is answered: a duplicate ACK never triggers
   * a resend (RFC 1123 §4.2.3.1, the "Sorcerer's Apprentice" bug); lost blocks are resent on timeout instead.
   */
  onAck(wireBlock: number, nowMs: number): SenderAction {
    if (this.finished) return { kind: 'idle' };
    const block = this.resolve(wireBlock);
    if (block === undefined || block <= this.acked) return { kind: 'idle' };
    this.acked = block;
    this.retries = 0;
    if (this.acked >= this.blockCount) {
      this.finished = true;
      this.deadlineMs = Infinity;
      return { kind: 'done' };
    }
    // RFC 7440 §4: an ACK for a block before the end of the window means the rest was lost: resend from there.
    return this.sendWindow(nowMs);
  }

  /** Called when the timer fires; does nothing before the deadline. */
  onTimer(nowMs: number): SenderAction {
    if (this.finished || nowMs < this.deadlineMs) return { kind: 'idle' };
    if (++this.retries > this.init.maxRetries) {
      this.finished = true;
      return { kind: 'fail', reason: `no acknowledgement after ${this.init.maxRetries} retransmissions` };
    }
    return this.sendWindow(nowMs);
  }

  /** Maps a 16-bit ACK number to the one absolute block in flight that it can mean. */
  private resolve(wireBlock: number): number | undefined {
    for (let b = this.highestSent; b >= Math.max(this.acked, this.init.withOack ? 0 : 1) && b > this.highestSent - 65536; b--) {
      if (Sender.wire(b) === wireBlock) return b;
    }
    return undefined;
  }

  private sendWindow(nowMs: number): SenderAction {
    const first = this.acked + 1;
    // The OACK travels alone; data windows hold up to windowsize blocks (RFC 7440 §4).
    const last = first === 0 ? 0 : Math.min(this.acked + this.init.windowSize, this.blockCount);
    this.highestSent = Math.max(this.highestSent, last);
    this.deadlineMs = nowMs + this.init.timeoutMs;
    return { kind: 'send', first, last };
  }
}
