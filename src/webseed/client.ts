/**
 * `WebSeed`: one BEP 19 server as a source of pieces. It plans the ranged GETs for a piece (`ranges.ts`), holds
 * one of the seed's few request slots while it fetches them (`backoff.ts` decides when the seed may be asked),
 * checks every answer exactly (`fetch-range.ts`) and returns the assembled piece. It does not hash: the caller
 * verifies against the torrent and reports a mismatch with `reportBadPiece`.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Metainfo } from '../metainfo/index.js';
import { SeedHealth, type Blocker, type FileNeed, type SeedHealthOptions, type SeedOutcome } from './backoff.js';
import { WEBSEED_DEFAULTS } from './defaults.js';
import { WebSeedError } from './errors.js';
import { classify, fetchRange, type FetchContext } from './fetch-range.js';
import { isWholeFile, parseSeedUrl, planPiece, type PiecePlan } from './ranges.js';

export interface WebSeedInit extends Partial<SeedHealthOptions> {
  /** The url-list entry (BEP 19). */
  url: string;
  meta: Metainfo;
  idleTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxRedirects?: number;
  userAgent?: string;
  /** Extra trusted certificate authorities (PEM) for https:// seeds; the system's are used otherwise. */
  ca?: string | Buffer | (string | Buffer)[];
}

export interface WebSeedComponents {
  /** The clock the health policy reads (tests pass a fake one). */
  now?: () => number;
}

export interface FetchOptions {
  signal?: AbortSignal;
}

export interface WebSeedStats {
  /** HTTP requests sent (redirect hops not counted). */
  requests: number;
  piecesFetched: number;
  bytesFetched: number;
  failures: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class WebSeed {
  readonly url: string;
  readonly health: SeedHealth;
  readonly stats: WebSeedStats = { requests: 0, piecesFetched: 0, bytesFetched: 0, failures: 0 };
  private readonly meta: Metainfo;
  private readonly now: () => number;
  private readonly idleTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly userAgent: string;
  private readonly ca: WebSeedInit['ca'];
  private agents: FetchContext['agents'] | undefined;
  private stopper = new AbortController();
  private readonly waiters: Waiter[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(init: WebSeedInit, components: WebSeedComponents = {}) {
    this.url = parseSeedUrl(init.url).href;
    this.meta = init.meta;
    this.health = new SeedHealth(init);
    this.now = components.now ?? Date.now;
    this.idleTimeoutMs = init.idleTimeoutMs ?? WEBSEED_DEFAULTS.idleTimeoutMs;
    this.requestTimeoutMs = init.requestTimeoutMs ?? WEBSEED_DEFAULTS.requestTimeoutMs;
    this.maxRedirects = init.maxRedirects ?? WEBSEED_DEFAULTS.maxRedirects;
    this.userAgent = init.userAgent ?? 'tandem';
    this.ca = init.ca;
  }

  async start(): Promise<void> {
    if (this.agents) return;
    this.stopper = new AbortController();
    // Keep-alive: consecutive pieces reuse the connection; never more sockets than request slots.
    const opts = { keepAlive: true, maxSockets: this.health.options.maxInFlight };
    this.agents = { http: new http.Agent(opts), https: new https.Agent(this.ca === undefined ? opts : { ...opts, ca: this.ca }) };
  }

  /** Aborts every request in flight and every caller waiting for a slot, then closes the sockets. */
  async stop(): Promise<void> {
    if (!this.agents) return;
    this.stopper.abort(new WebSeedError('WEBSEED_ABORTED', `${this.url}: web seed stopped`));
    for (const w of this.waiters.splice(0)) w.reject(new WebSeedError('WEBSEED_ABORTED', `${this.url}: web seed stopped`));
    await Promise.allSettled([...this.running]);
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.agents = undefined;
  }

  /** The ranged GETs piece `index` needs from this seed (pad and empty files left out). */
  plan(index: number, begin?: number, length?: number): PiecePlan {
    return planPiece(this.url, this.meta, index, begin, length);
  }

  /** Why this seed cannot take a request for piece `index` right now, or undefined when it can. */
  blocker(index: number): Blocker | undefined {
    return this.health.blocker(this.now(), needsOf(this.plan(index)));
  }

  /** Fetches a whole piece. Waits for a request slot; fails at once if the seed is backed off for it. */
  fetchPiece(index: number, options: FetchOptions = {}): Promise<Buffer> {
    return this.fetchPlan(this.plan(index), options);
  }

  /** Fetches `length` bytes at `begin` of piece `index` (a block, for an engine that works in blocks). */
  fetchBlock(index: number, begin: number, length: number, options: FetchOptions = {}): Promise<Buffer> {
    return this.fetchPlan(this.plan(index, begin, length), options);
  }

  /** The caller found the piece this seed sent does not hash right: count it as a failure (backoff). */
  reportBadPiece(): void {
    this.stats.failures++;
    this.health.record({ kind: 'error' }, this.now());
  }

  private fetchPlan(plan: PiecePlan, options: FetchOptions): Promise<Buffer> {
    const p = this.run(plan, options.signal);
    this.running.add(p);
    const forget = (): void => void this.running.delete(p);
    p.then(forget, forget);
    return p;
  }

  private async run(plan: PiecePlan, callerSignal: AbortSignal | undefined): Promise<Buffer> {
    if (!this.agents) throw new WebSeedError('WEBSEED_NOT_STARTED', `${this.url}: fetch before start() or after stop()`);
    const needs = needsOf(plan);
    this.throwIfBlocked(needs, plan.pieceIndex);
    await this.acquireSlot(callerSignal);
    let outcome: SeedOutcome = { kind: 'aborted' };
    try {
      // Re-check: the state may have changed while this call waited for its slot.
      this.throwIfBlocked(needs, plan.pieceIndex);
      const buf = Buffer.alloc(plan.length);
      for (const r of plan.requests) await this.fetchOne(r, buf, callerSignal);
      outcome = { kind: 'ok' };
      this.stats.piecesFetched++;
      this.stats.bytesFetched += plan.length;
      return buf;
    } catch (err) {
      outcome = outcomeOf(err);
      if (outcome.kind !== 'aborted') this.stats.failures++;
      throw err;
    } finally {
      this.health.release(outcome, this.now());
      this.pump();
    }
  }

  private async fetchOne(r: PiecePlan['requests'][number], buf: Buffer, callerSignal: AbortSignal | undefined): Promise<void> {
    const signals = [this.stopper.signal, AbortSignal.timeout(this.requestTimeoutMs)];
    if (callerSignal) signals.push(callerSignal);
    const ctx: FetchContext = {
      agents: this.agents!,
      signal: AbortSignal.any(signals),
      idleTimeoutMs: this.idleTimeoutMs,
      maxRedirects: this.maxRedirects,
      ignoresRanges: this.health.ignoresRanges,
      wholeFileMaxBytes: this.health.options.noRangesWholeFileMaxBytes,
      userAgent: this.userAgent,
      nowMs: this.now,
    };
    this.stats.requests++;
    try {
      const res = await fetchRange(r, buf, ctx);
      if (res.rangesIgnored && !isWholeFile(r)) this.health.record({ kind: 'no-ranges' }, this.now());
    } catch (err) {
      throw classify(err, r.url, ctx);
    }
  }

  private throwIfBlocked(needs: FileNeed[], index: number): void {
    const why = this.health.serves(this.now(), needs);
    if (why) throw new WebSeedError('WEBSEED_UNAVAILABLE', `${this.url}: cannot serve piece ${index} now (${why})`);
  }

  private acquireSlot(signal: AbortSignal | undefined): Promise<void> {
    if (this.waiters.length === 0 && this.health.acquire()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new WebSeedError('WEBSEED_ABORTED', `${this.url}: aborted`));
      const w: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new WebSeedError('WEBSEED_ABORTED', `${this.url}: aborted while waiting for a request slot`));
        },
      };
      signal?.addEventListener('abort', w.onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  /** Hands freed slots to waiting callers, first come first served. */
  private pump(): void {
    while (this.waiters.length > 0 && this.health.acquire()) {
      const w = this.waiters.shift()!;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
  }
}

/** What the health policy needs to know of a plan: which files, and whether each stretch is the whole file. */
export function needsOf(plan: PiecePlan): FileNeed[] {
  return plan.requests.map((r) => ({ fileIndex: r.fileIndex, whole: isWholeFile(r), fileLength: r.fileLength }));
}

/** How a failed fetch should change the seed's health. */
export function outcomeOf(err: unknown): SeedOutcome {
  if (!(err instanceof WebSeedError)) return { kind: 'error' };
  switch (err.code) {
    case 'WEBSEED_ABORTED':
    case 'WEBSEED_UNAVAILABLE':
      return { kind: 'aborted' };
    case 'WEBSEED_MISSING':
      return err.fileIndex === undefined ? { kind: 'error' } : { kind: 'missing', fileIndex: err.fileIndex };
    case 'WEBSEED_NO_RANGES':
      return { kind: 'no-ranges' };
    default:
      return { kind: 'error', retryAfterMs: err.retryAfterMs };
  }
}
