/**
 * The receiving side of one transfer (a client reading, or a server taking a WRQ), as a pure state machine. It
 * accepts blocks only in order, acknowledges at the end of each window (RFC 7440 §4) or on the short last block
 * (RFC 1350 §6), answers a gap or a duplicate with the last in-order block, and throttles those answers so a
 * burst of duplicates does not become a burst of ACKs.
 */

export interface ReceiverInit {
  blockSizeBytes: number;
  windowSize: number;
  timeoutMs: number;
  maxRetries: number;
}

export interface ReceiverAction {
  /** The DATA payload is the next in order: write it. */
  accept: boolean;
  /** Send an ACK for this absolute block (its wire number is block & 0xffff). */
  ack?: number;
  done: boolean;
  fail?: string;
}

export class Receiver {
  /** The last block received in order; 0 before the first. */
  private received = 0;
  private sinceAck = 0;
  private lastAckMs = -Infinity;
  /** A gap or duplicate was already answered since the last in-order block. */
  private answeredSinceProgress = false;
  private retries = 0;
  private deadlineMs: number;
  private finished = false;

  constructor(private readonly init: ReceiverInit, nowMs: number) {
    this.deadlineMs = nowMs + init.timeoutMs;
  }

  get blocksReceived(): number {
    return this.received;
  }

  get deadline(): number {
    return this.deadlineMs;
  }

  get isDone(): boolean {
    return this.finished;
  }

  onData(wireBlock: number, payloadBytes: number, nowMs: number): ReceiverAction {
    if (this.finished) {
      // The sender missed our final ACK and sent the last block again: acknowledge it again (RFC 1350 §6 dally).
      return wireBlock === (this.received & 0xffff) ? this.ackNow(this.received, nowMs, true) : { accept: false, done: true };
    }
    if (payloadBytes > this.init.blockSizeBytes) return { accept: false, done: false };
    if (wireBlock !== ((this.received + 1) & 0xffff)) {
      // A duplicate or a gap: tell the sender where we are, once per progress or once per half a timeout.
      const allowed = !this.answeredSinceProgress || nowMs - this.lastAckMs >= this.init.timeoutMs / 2;
      if (!allowed) return { accept: false, done: false };
      this.answeredSinceProgress = true;
      return this.ackNow(this.received, nowMs, false);
    }
    this.received++;
    this.sinceAck++;
    this.retries = 0;
    this.answeredSinceProgress = false;
    this.deadlineMs = nowMs + this.init.timeoutMs;
    if (payloadBytes < this.init.blockSizeBytes) {
      this.finished = true;
      this.deadlineMs = Infinity;
      return { ...this.ackNow(this.received, nowMs, true), accept: true };
    }
    if (this.sinceAck >= this.init.windowSize) return { ...this.ackNow(this.received, nowMs, false), accept: true };
    return { accept: true, done: false };
  }

  /** On timeout, acknowledge the last in-order block again (the shell resends its request or OACK if none yet). */
  onTimer(nowMs: number): ReceiverAction {
    if (this.finished || nowMs < this.deadlineMs) return { accept: false, done: this.finished };
    if (++this.retries > this.init.maxRetries) {
      this.finished = true;
      return { accept: false, done: false, fail: `no data after ${this.init.maxRetries} retransmissions` };
    }
    this.deadlineMs = nowMs + this.init.timeoutMs;
    return this.ackNow(this.received, nowMs, false);
  }

  private ackNow(block: number, nowMs: number, done: boolean): ReceiverAction {
    this.sinceAck = 0;
    this.lastAckMs = nowMs;
    return { accept: false, ack: block, done };
  }
}
