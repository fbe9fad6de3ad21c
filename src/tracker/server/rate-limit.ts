// A token bucket per source address, so a flood from one address is cut off without slowing everyone else.
// Bounded: at most `maxAddresses` buckets; the oldest inserted are forgotten first (a Map iterates in insertion order).
interface Bucket {
  tokens: number;
  lastMs: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxAddresses: number,
  ) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** True when the request may go ahead; spends one token. */
  allow(address: string, nowMs: number): boolean {
    if (this.perSecond <= 0) return true;
    let b = this.buckets.get(address);
    if (!b) {
      if (this.buckets.size >= this.maxAddresses) this.evict();
      b = { tokens: this.burst, lastMs: nowMs };
      this.buckets.set(address, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.lastMs) * this.perSecond) / 1000);
      b.lastMs = nowMs;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private evict(): void {
    let n = Math.max(1, Math.floor(this.maxAddresses / 10));
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key);
      if (--n === 0) break;
    }
  }
}
