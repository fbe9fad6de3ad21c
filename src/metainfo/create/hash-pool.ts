import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MetainfoError } from '../errors.js';
import { HASH_BYTES, BLOCK_BYTES } from '../merkle.js';
import { hashPieceRange, type HashPlan, type PieceRangeHashes } from './hash-core.js';
import { PlanFileReader } from './file-reader.js';

export interface HashOptions {
  /** Worker threads to use; defaults to every core. 0 hashes on the calling thread. */
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
}

/** Every piece's SHA-1 (v1) and every file's leaf hashes (v2), as the plan asks. */
export interface PlanHashes {
  sha1: Buffer;
  /** Per plan file, its 16 KiB block hashes concatenated (empty when v2 is off). */
  leaves: Buffer[];
}

// Below this much data, starting threads costs more than it saves.
const INLINE_BELOW_BYTES = 32 * 1024 * 1024;
// Each job is a run of pieces of about this many bytes: large enough to amortise messages, small enough to balance.
const JOB_BYTES = 8 * 1024 * 1024;

export async function hashPlan(plan: HashPlan, options: HashOptions = {}): Promise<PlanHashes> {
  const pieceCount = Math.ceil(plan.totalLengthBytes / plan.pieceLengthBytes);
  const out: PlanHashes = {
    sha1: Buffer.alloc(plan.v1 ? pieceCount * 20 : 0),
    leaves: plan.files.map((f) => Buffer.alloc(plan.v2 ? Math.ceil(f.length / BLOCK_BYTES) * HASH_BYTES : 0)),
  };
  const perJob = Math.max(1, Math.floor(JOB_BYTES / plan.pieceLengthBytes));
  const jobs: { first: number; end: number }[] = [];
  for (let p = 0; p < pieceCount; p += perJob) jobs.push({ first: p, end: Math.min(pieceCount, p + perJob) });
  let hashed = 0;
  const collect = (r: PieceRangeHashes, bytes: number): void => {
    merge(out, r);
    hashed += bytes;
    options.onProgress?.(Math.min(hashed, plan.totalLengthBytes), plan.totalLengthBytes);
  };
  const jobBytes = (j: { first: number; end: number }): number => (j.end - j.first) * plan.pieceLengthBytes;
  const wanted = options.workers ?? availableParallelism();
  if (wanted === 0 || plan.totalLengthBytes < INLINE_BELOW_BYTES) hashInline(plan, jobs, collect, jobBytes, options.signal);
  else await hashInWorkers(plan, jobs, Math.min(wanted, jobs.length), collect, jobBytes, options.signal);
  return out;
}

function merge(out: PlanHashes, r: PieceRangeHashes): void {
  const sha1 = Buffer.from(r.sha1.buffer, r.sha1.byteOffset, r.sha1.byteLength);
  sha1.copy(out.sha1, r.first * 20);
  for (const l of r.leaves) Buffer.from(l.hashes.buffer, l.hashes.byteOffset, l.hashes.byteLength).copy(out.leaves[l.file]!, l.firstBlock * HASH_BYTES);
}

type Job = { first: number; end: number };

function hashInline(plan: HashPlan, jobs: Job[], collect: (r: PieceRangeHashes, n: number) => void, jobBytes: (j: Job) => number, signal?: AbortSignal): void {
  const reader = new PlanFileReader(plan);
  const scratch = Buffer.allocUnsafe(plan.pieceLengthBytes);
  try {
    for (const job of jobs) {
      signal?.throwIfAborted();
      collect(hashPieceRange(plan, job.first, job.end, reader.read, scratch), jobBytes(job));
    }
  } catch (err) {
    throw ioError(err);
  } finally {
    reader.close();
  }
}

function ioError(err: unknown, message = (err as Error).message): Error {
  if (err instanceof Error && err.name === 'AbortError') return err;
  return new MetainfoError('CREATE_IO', `reading files failed: ${message}`, 'runtime', { cause: err });
}

function hashInWorkers(plan: HashPlan, jobs: Job[], count: number, collect: (r: PieceRangeHashes, n: number) => void, jobBytes: (j: Job) => number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let pending = jobs.length;
    let failed = false;
    const stopAll = (): void => void workers.forEach((w) => w.terminate());
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      stopAll();
      reject(err);
    };
    const onAbort = (): void => fail(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: Worker): void => {
      const job = jobs[next++];
      w.postMessage(job ?? null);
      if (job) (w as Worker & { job?: Job }).job = job;
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: plan });
      workers.push(w);
      w.on('message', (msg: { ok: true; result: PieceRangeHashes } | { ok: false; message: string }) => {
        if (failed) return;
        if (!msg.ok) return fail(ioError(undefined, msg.message));
        collect(msg.result, jobBytes((w as Worker & { job?: Job }).job!));
        if (--pending === 0) {
          signal?.removeEventListener('abort', onAbort);
          workers.forEach((x) => x.postMessage(null));
          resolve();
        } else feed(w);
      });
      w.on('error', (err) => fail(ioError(err)));
      feed(w);
    }
  });
}
