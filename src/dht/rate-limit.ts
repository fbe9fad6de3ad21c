/**
 * A token bucket per source address, so one flooding host cannot use the node up. Pure: time is passed in.
 * The number of addresses remembered is capped; the least recently seen is forgotten first.
 */
export interface RateLimitOptions {
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  rateLimitTrackedAddresses: number;
}

interface BucketState {
  tokens: number;
  atMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly opts: RateLimitOptions) {}

  get tracked(): number {
    return this.buckets.size;
  }

  /** True when a packet from `address` may be handled now (and charges it). */
  allow(address: string, nowMs: number): boolean {
    let b = this.buckets.get(address);
    if (b) {
      this.buckets.delete(address); // re-insert below: Map order becomes recency order
      b.tokens = Math.min(this.opts.rateLimitBurst, b.tokens + ((nowMs - b.atMs) / 1000) * this.opts.rateLimitPerSecond);
      b.atMs = nowMs;
    } else {
      if (this.buckets.size >= this.opts.rateLimitTrackedAddresses) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.opts.rateLimitBurst, atMs: nowMs };
    }
    this.buckets.set(address, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
