/**
 * When to keep polling for a reply instead of sleeping until it comes: adaptive busy-polling, as a pure policy.
 *
 * A lock-step transfer (RFC 1350: one DATA, then wait for its ACK) moves at the speed of its round trip. On
 * loopback and fast LANs the peer answers within tens of microseconds, and then most of the round trip is the
 * kernel putting this process to sleep and waking it again, often on the other CPU. Polling for a short window
 * after each send takes the reply without sleeping. The window is used only while replies have been coming
 * inside it (a smoothed reply time, like TCP's SRTT), so a peer on a slower network costs no CPU at all.
 *
 * @example
 *   const policy = new BusyPollPolicy(0.2);
 *   const until = policy.onSend(nowMs); // poll until `until`, or not at all when it is 0
 *   policy.onReply(laterMs);
 */

/** Weight of a new sample in the smoothed reply time (RFC 6298 uses 1/8 for SRTT). */
const GAIN = 1 / 8;
/** One slow reply (a lost packet, a paused peer) counts at most this many windows, so polling resumes soon after. */
const MAX_SAMPLE_WINDOWS = 8;

export class BusyPollPolicy {
  private sentAtMs = -1;
  private smoothedMs: number | undefined;

  /** @param windowMs how long to poll after a send; 0 never polls. */
  constructor(private readonly windowMs: number) {}

  /** A packet that expects a reply left at `nowMs`. Returns the time to poll until, or 0 for "sleep as usual". */
  onSend(nowMs: number): number {
    this.sentAtMs = nowMs;
    if (this.windowMs <= 0) return 0;
    if (this.smoothedMs !== undefined && this.smoothedMs > this.windowMs) return 0;
    return nowMs + this.windowMs;
  }

  /** A packet came from the peer at `nowMs`; the first one after a send measures the reply time. */
  onReply(nowMs: number): void {
    if (this.sentAtMs < 0) return;
    const sample = Math.min(nowMs - this.sentAtMs, this.windowMs * MAX_SAMPLE_WINDOWS);
    this.sentAtMs = -1;
    this.smoothedMs = this.smoothedMs === undefined ? sample : this.smoothedMs + (sample - this.smoothedMs) * GAIN;
  }

  /** The smoothed reply time in ms, undefined before the first reply. */
  get replyMs(): number | undefined {
    return this.smoothedMs;
  }
}
