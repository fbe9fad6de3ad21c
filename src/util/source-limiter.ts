/**
 * A token bucket per source address: the policy every UDP service (DHT, UDP tracker, TFTP) and the tracker's HTTP
 * face use so that one flooding host is cut off without slowing anyone else. Pure and synchronous: time is passed
 * in, so a unit test drives it step by step.
 *
 * Memory is bounded: at most `maxSources` buckets are kept; the least recently seen source is forgotten first (a
 * forgotten source starts again with a full burst, which is the worst an attacker spraying addresses can win).
 *
 * @example
 *   const limiter = new SourceLimiter({ perSecond: 50, burst: 100, maxSources: 10_000 });
 *   if (!limiter.allow(rinfo.address, Date.now())) return; // dropped, and counted by the caller
 */
export interface SourceLimiterOptions {
  /** Sustained requests per second per source; 0 (or less) turns the limit off. */
  perSecond: number;
  /** Requests a quiet source may send at once. */
  burst: number;
  /** Sources remembered at once. */
  maxSources: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class SourceLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly opts: SourceLimiterOptions) {}

  get enabled(): boolean {
    return this.opts.perSecond > 0;
  }

  /** Sources remembered now. */
  get tracked(): number {
    return this.buckets.size;
  }

  /** True when a request from `source` may be handled now (and charges it one token). */
  allow(source: string, nowMs: number): boolean {
    if (this.opts.perSecond <= 0) return true;
    let b = this.buckets.get(source);
    if (b) {
      this.buckets.delete(source); // re-inserted below: the Map's order becomes recency order
      b.tokens = Math.min(this.opts.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.opts.perSecond);
      b.atMs = nowMs;
    } else {
      if (this.buckets.size >= this.opts.maxSources) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: this.opts.burst, atMs: nowMs };
    }
    this.buckets.set(source, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
