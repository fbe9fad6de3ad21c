/**
 * Rates and limits, with time passed in (policies never read the clock).
 */

/** Bytes per second over a sliding window of one-second buckets. */
export class RateMeter {
  private readonly buckets: Float64Array;
  private head = 0;
  private headSecond = -1;
  total = 0;

  constructor(private readonly windowSeconds = 5) {
    this.buckets = new Float64Array(windowSeconds);
  }

  add(bytes: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[this.head]! += bytes;
    this.total += bytes;
  }

  rate(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / this.windowSeconds;
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.headSecond < 0) this.headSecond = second;
    const steps = Math.min(this.windowSeconds, second - this.headSecond);
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.windowSeconds;
      this.buckets[this.head] = 0;
    }
    if (second > this.headSecond) this.headSecond = second;
  }
}

/** What a torrent spends its transfer on: one bucket, or its own and the node's together. */
export interface RateLimit {
  readonly limited: boolean;
  take(bytes: number, nowMs: number): number;
  tryTake(bytes: number, nowMs: number): number;
}

/** A token bucket: `take` says how long to wait before `bytes` may pass. Unlimited when the rate is 0. */
export class TokenBucket implements RateLimit {
  private tokens: number;
  private lastMs = -1;

  private burstBytes: number;

  constructor(
    private bytesPerSecond: number,
    burstBytes = Math.max(bytesPerSecond / 4, 64 * 1024),
  ) {
    this.burstBytes = burstBytes;
    this.tokens = burstBytes;
  }

  get rateBytesPerSec(): number {
    return this.bytesPerSecond;
  }

  /** Changes the rate in place (the daemon's `limit`, `session-set`); 0 lifts the limit. Debt is forgiven. */
  setRate(bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond;
    this.burstBytes = Math.max(bytesPerSecond / 4, 64 * 1024);
    this.tokens = Math.max(0, Math.min(this.tokens, this.burstBytes));
  }

  get limited(): boolean {
    return this.bytesPerSecond > 0;
  }

  private refill(nowMs: number): void {
    if (this.lastMs >= 0) this.tokens = Math.min(this.burstBytes, this.tokens + ((nowMs - this.lastMs) * this.bytesPerSecond) / 1000);
    this.lastMs = nowMs;
  }

  /** Spends `bytes` already moved (a received block), going into debt if need be; returns ms until out of debt. */
  take(bytes: number, nowMs: number): number {
    if (!this.limited) return 0;
    this.refill(nowMs);
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
  }

  /**
   * Asks to send `bytes`: allowed (0) while the bucket is not in debt, and then spent; otherwise nothing is spent
   * and the answer is how many ms to wait. Several waiting senders cannot drain the bucket by asking.
   */
  tryTake(bytes: number, nowMs: number): number {
    if (!this.limited) return 0;
    this.refill(nowMs);
    if (this.tokens < 0) return Math.ceil((-this.tokens * 1000) / this.bytesPerSecond);
    this.tokens -= bytes;
    return 0;
  }
}

/**
 * How many block requests to keep in flight to one peer: enough to cover its measured rate for
 * `queueSeconds` plus one round trip (the bandwidth-delay product with headroom), within [min, max] and never more
 * than the peer said it queues (BEP 10 `reqq`).
 */
export function requestQueueDepth(input: { rateBytesPerSec: number; rttMs: number; blockBytes: number; queueSeconds: number; min: number; max: number; peerReqq?: number }): number {
  const seconds = input.queueSeconds + input.rttMs / 1000;
  const depth = Math.ceil((input.rateBytesPerSec * seconds) / input.blockBytes);
  const cap = Math.min(input.max, input.peerReqq ?? input.max);
  return Math.max(Math.min(input.min, cap), Math.min(cap, depth));
}

/**
 * Two limits at once, a torrent's own and the node's global one: bytes pass when both allow, and are spent from
 * both, so one torrent cannot use the whole global budget's burst beyond its own cap.
 */
export class ChainedLimit implements RateLimit {
  constructor(private readonly limits: RateLimit[]) {}

  get limited(): boolean {
    return this.limits.some((l) => l.limited);
  }

  take(bytes: number, nowMs: number): number {
    let wait = 0;
    for (const l of this.limits) wait = Math.max(wait, l.take(bytes, nowMs));
    return wait;
  }

  tryTake(bytes: number, nowMs: number): number {
    // Ask each without spending first would need a peek; asking in order and spending from those that allowed is
    // close enough: a refused limit spends nothing, and the others' burst absorbs the rest.
    let wait = 0;
    for (const l of this.limits) wait = Math.max(wait, l.tryTake(bytes, nowMs));
    return wait;
  }
}
