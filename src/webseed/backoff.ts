/**
 * Per-seed health, pure and synchronous (DESIGN.md §2, layer 4): time comes in as a number, so a test drives it
 * step by step. It answers one question, "may I send this seed a request for these files now?", and learns from
 * each answer:
 * - 404/410: that file is missing on that seed for a long time (BEP 19 servers are plain file servers; a file
 *   that is not there now will not be there in a second).
 * - 5xx, timeouts, broken connections, wrong bytes: exponential backoff with a cap, or the server's Retry-After,
 *   so a failing origin is never retried in a tight loop.
 * - a 200 to a ranged request: the server ignores Range; from then on it is used only for whole files, or for
 *   files small enough to fetch whole and slice.
 * - at most `maxInFlight` requests at once, so a crowd of clients cannot overload the origin.
 */
import { WEBSEED_DEFAULTS } from './defaults.js';

/** What one request to a seed came to. */
export type SeedOutcome =
  | { kind: 'ok' }
  | { kind: 'missing'; fileIndex: number }
  | { kind: 'error'; retryAfterMs?: number }
  | { kind: 'no-ranges' }
  | { kind: 'aborted' };

/** One file stretch a request needs, as far as health is concerned. */
export interface FileNeed {
  fileIndex: number;
  /** The stretch is the whole file: no Range needed. */
  whole: boolean;
  fileLength: number;
}

export type Blocker = 'backoff' | 'full' | 'missing' | 'no-ranges';

export interface SeedHealthOptions {
  maxInFlight: number;
  missingFileBackoffMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  noRangesWholeFileMaxBytes: number;
}

export class SeedHealth {
  readonly options: SeedHealthOptions;
  private inFlightCount = 0;
  private failures = 0;
  private retryAt = 0;
  private rangesIgnored = false;
  /** fileIndex → the time until which it counts as missing. */
  private readonly missingUntil = new Map<number, number>();

  constructor(options: Partial<SeedHealthOptions> = {}) {
    this.options = {
      maxInFlight: options.maxInFlight ?? WEBSEED_DEFAULTS.maxInFlightPerSeed,
      missingFileBackoffMs: options.missingFileBackoffMs ?? WEBSEED_DEFAULTS.missingFileBackoffMs,
      backoffBaseMs: options.backoffBaseMs ?? WEBSEED_DEFAULTS.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs ?? WEBSEED_DEFAULTS.backoffMaxMs,
      noRangesWholeFileMaxBytes: options.noRangesWholeFileMaxBytes ?? WEBSEED_DEFAULTS.noRangesWholeFileMaxBytes,
    };
    if (!(this.options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be at least 1');
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** True once the seed answered a ranged request with the whole file. */
  get ignoresRanges(): boolean {
    return this.rangesIgnored;
  }

  /** When the current backoff ends (0 or a past time when there is none). */
  get retryAtMs(): number {
    return this.retryAt;
  }

  /** Whether these files can ever be asked of this seed right now, ignoring the in-flight cap. */
  serves(nowMs: number, needs: readonly FileNeed[]): Blocker | undefined {
    if (nowMs < this.retryAt) return 'backoff';
    for (const n of needs) {
      const until = this.missingUntil.get(n.fileIndex);
      if (until !== undefined) {
        if (nowMs < until) return 'missing';
        this.missingUntil.delete(n.fileIndex);
      }
      if (this.rangesIgnored && !n.whole && n.fileLength > this.options.noRangesWholeFileMaxBytes) return 'no-ranges';
    }
    return undefined;
  }

  /** Why a request for `needs` cannot be sent now, or undefined when it can. */
  blocker(nowMs: number, needs: readonly FileNeed[]): Blocker | undefined {
    return this.serves(nowMs, needs) ?? (this.inFlightCount >= this.options.maxInFlight ? 'full' : undefined);
  }

  /** Takes one of the seed's request slots; false when they are all in use. */
  acquire(): boolean {
    if (this.inFlightCount >= this.options.maxInFlight) return false;
    this.inFlightCount++;
    return true;
  }

  /** Gives a slot back and learns from the outcome of the request that held it. */
  release(outcome: SeedOutcome, nowMs: number): void {
    if (this.inFlightCount > 0) this.inFlightCount--;
    this.record(outcome, nowMs);
  }

  /** Learns from an outcome without touching the slots (a hash failure found after the slot was freed). */
  record(outcome: SeedOutcome, nowMs: number): void {
    switch (outcome.kind) {
      case 'ok':
        this.failures = 0;
        return;
      case 'missing':
        // The server is healthy, the file is just not there: no backoff for the other files.
        this.missingUntil.set(outcome.fileIndex, nowMs + this.options.missingFileBackoffMs);
        return;
      case 'no-ranges':
        this.rangesIgnored = true;
        return;
      case 'error': {
        this.failures++;
        const exp = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** Math.min(this.failures - 1, 30));
        this.retryAt = Math.max(this.retryAt, nowMs + Math.max(exp, outcome.retryAfterMs ?? 0));
        return;
      }
      case 'aborted':
        return;
    }
  }
}

/**
 * Of the seeds that can take a request for `needs` now, the one with the fewest requests in flight (ties go to
 * the earlier seed, so the order of the url-list is a preference); -1 when none can.
 */
export function chooseSeed(seeds: readonly SeedHealth[], nowMs: number, needs: readonly FileNeed[], exclude?: ReadonlySet<number>): number {
  let best = -1;
  for (let i = 0; i < seeds.length; i++) {
    if (exclude?.has(i)) continue;
    const s = seeds[i]!;
    if (s.blocker(nowMs, needs) !== undefined) continue;
    if (best < 0 || s.inFlight < seeds[best]!.inFlight) best = i;
  }
  return best;
}
