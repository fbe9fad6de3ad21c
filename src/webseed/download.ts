/**
 * A downloader that fetches every piece of a torrent from its web seeds alone, verifies each against the v1
 * SHA-1 piece hashes (BEP 3), and writes it through `FileStorage`. It proves the web-seed client end to end; the
 * swarm uses `WebSeed` directly (see index.ts). A piece that fails on one seed is retried on another; a seed that
 * fails is backed off by its health policy, so a broken origin is contacted a bounded number of times.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Metainfo } from '../metainfo/index.js';
import { FileStorage } from '../storage/index.js';
import { chooseSeed } from './backoff.js';
import { needsOf, WebSeed, type WebSeedInit, type WebSeedStats } from './client.js';
import { WEBSEED_DEFAULTS } from './defaults.js';
import { WebSeedError } from './errors.js';

export interface WebSeedDownloadOptions {
  meta: Metainfo;
  /** The folder the torrent lands in (`outDir/name` for a folder torrent, `outDir/name` for one file). */
  outDir: string;
  /** The web seeds to use; the torrent's url-list by default. */
  urls?: string[];
  /** Options for every seed (in-flight cap, timeouts, backoff). */
  seedOptions?: Omit<WebSeedInit, 'url' | 'meta'>;
  signal?: AbortSignal;
  maxAttemptsPerPiece?: number;
  maxWaitMs?: number;
  onPiece?: (e: { pieceIndex: number; seedUrl: string; doneBytes: number; totalBytes: number }) => void;
  onSeedError?: (e: { pieceIndex: number; seedUrl: string; error: WebSeedError }) => void;
}

export interface WebSeedDownloadResult {
  pieces: number;
  bytes: number;
  seeds: { url: string; stats: WebSeedStats; ignoresRanges: boolean }[];
}

export async function downloadFromWebSeeds(opts: WebSeedDownloadOptions): Promise<WebSeedDownloadResult> {
  const { meta } = opts;
  if (!meta.pieces) throw new WebSeedError('WEBSEED_TORRENT', 'a v2-only torrent has no v1 piece hashes to verify web-seed data with', 'input');
  const urls = opts.urls ?? meta.urlList;
  if (urls.length === 0) throw new WebSeedError('WEBSEED_TORRENT', 'the torrent has no web seeds (url-list) and none were given', 'input');
  const seeds = urls.map((url) => new WebSeed({ ...opts.seedOptions, url, meta }));
  const storage = new FileStorage(opts.outDir, meta);
  const failure = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, failure.signal]) : failure.signal;
  const job: Job = { meta, seeds, storage, signal, opts, doneBytes: 0, next: 0 };
  await Promise.all(seeds.map((s) => s.start()));
  try {
    await storage.open(meta.files.map((_, i) => i));
    const workers = seeds.reduce((n, s) => n + s.health.options.maxInFlight, 0);
    // allSettled, not all: storage must not close under a worker still writing after another one failed.
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(workers, meta.pieceCount) }, () =>
        work(job).catch((err: unknown) => {
          if (!failure.signal.aborted) failure.abort(err);
          throw err;
        }),
      ),
    );
    // The first failure is the one to report; the others are aborts it caused.
    if (failure.signal.aborted) throw failure.signal.reason;
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
  } finally {
    await Promise.all(seeds.map((s) => s.stop()));
    await storage.close();
  }
  return {
    pieces: meta.pieceCount,
    bytes: job.doneBytes,
    seeds: seeds.map((s) => ({ url: s.url, stats: { ...s.stats }, ignoresRanges: s.health.ignoresRanges })),
  };
}

interface Job {
  meta: Metainfo;
  seeds: WebSeed[];
  storage: FileStorage;
  signal: AbortSignal;
  opts: WebSeedDownloadOptions;
  doneBytes: number;
  next: number;
}

async function work(job: Job): Promise<void> {
  while (job.next < job.meta.pieceCount) {
    const piece = job.next++;
    const { data, seedUrl } = await getPiece(job, piece);
    await job.storage.write(piece, 0, data);
    job.doneBytes += data.length;
    job.opts.onPiece?.({ pieceIndex: piece, seedUrl, doneBytes: job.doneBytes, totalBytes: job.meta.totalLengthBytes });
  }
}

/** Fetches and verifies one piece, moving between seeds; throws WEBSEED_FAILED when every way is exhausted. */
async function getPiece(job: Job, piece: number): Promise<{ data: Buffer; seedUrl: string }> {
  const maxAttempts = job.opts.maxAttemptsPerPiece ?? WEBSEED_DEFAULTS.maxAttemptsPerPiece;
  const expected = job.meta.pieces!.subarray(piece * 20, piece * 20 + 20);
  const needs = needsOf(job.seeds[0]!.plan(piece));
  const liars = new Set<number>();
  const reasons: string[] = [];
  for (let attempt = 0; attempt < maxAttempts; ) {
    if (job.signal.aborted) throw new WebSeedError('WEBSEED_ABORTED', 'web-seed download aborted');
    const now = Date.now();
    let i = chooseSeed(job.seeds.map((s) => s.health), now, needs, liars);
    // Every seed that could serve it is busy: queue on the least loaded one rather than spin.
    if (i < 0) i = job.seeds.findIndex((s, k) => !liars.has(k) && s.health.serves(now, needs) === undefined);
    if (i < 0) {
      await waitForBackoff(job, piece, now, liars, reasons);
      continue;
    }
    attempt++;
    const seed = job.seeds[i]!;
    try {
      const data = await seed.fetchPiece(piece, { signal: job.signal });
      if (createHash('sha1').update(data).digest().equals(expected)) return { data, seedUrl: seed.url };
      seed.reportBadPiece();
      liars.add(i);
      report(job, piece, seed, new WebSeedError('WEBSEED_HASH', `${seed.url}: piece ${piece} does not match its SHA-1`), reasons);
    } catch (err) {
      if (job.signal.aborted) throw new WebSeedError('WEBSEED_ABORTED', 'web-seed download aborted', 'runtime', { cause: err });
      const typed = err instanceof WebSeedError ? err : new WebSeedError('WEBSEED_NETWORK', String(err), 'runtime', { cause: err });
      // The seed turned unusable between the choice and the call: not an attempt, choose again.
      if (typed.code === 'WEBSEED_UNAVAILABLE') attempt--;
      report(job, piece, seed, typed, reasons);
    }
  }
  throw new WebSeedError('WEBSEED_FAILED', `piece ${piece}: gave up after ${maxAttempts} attempts (${reasons.slice(-3).join('; ')})`);
}

/** Sleeps until the first backed-off seed may be asked again; throws when no seed will ever serve the piece. */
async function waitForBackoff(job: Job, piece: number, now: number, liars: Set<number>, reasons: string[]): Promise<void> {
  const needs = needsOf(job.seeds[0]!.plan(piece));
  let until = Infinity;
  job.seeds.forEach((s, k) => {
    if (!liars.has(k) && s.health.serves(now, needs) === 'backoff') until = Math.min(until, s.health.retryAtMs);
  });
  if (until === Infinity) {
    const why = job.seeds.map((s, k) => `${s.url}: ${liars.has(k) ? 'sent bad data' : s.health.serves(now, needs)}`).join('; ');
    throw new WebSeedError('WEBSEED_FAILED', `piece ${piece}: no web seed can serve it (${why})${reasons.length ? `; last error: ${reasons.at(-1)}` : ''}`);
  }
  const waitMs = Math.min(Math.max(until - now, 1), job.opts.maxWaitMs ?? WEBSEED_DEFAULTS.maxWaitMs);
  await sleep(waitMs, undefined, { signal: job.signal }).catch(() => undefined);
}

function report(job: Job, piece: number, seed: WebSeed, error: WebSeedError, reasons: string[]): void {
  reasons.push(error.message);
  job.opts.onSeedError?.({ pieceIndex: piece, seedUrl: seed.url, error });
}
