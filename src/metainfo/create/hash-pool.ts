import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MetainfoError } from '../errors.js';
import { HASH_BYTES, BLOCK_BYTES } from '../merkle.js';
import { hashPieceRange, type HashPlan, type PieceRangeHashes } from './hash-core.js';
import { PlanFileReader } from './file-reader.js';

export interface HashOptions {
  /** Threads that hash, the calling thread included; defaults to every core. 0 or 1 hashes on the calling thread only. */
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
  const jobs: Job[] = [];
  for (let p = 0; p < pieceCount; p += perJob) jobs.push({ first: p, end: Math.min(pieceCount, p + perJob) });
  let hashed = 0;
  const collect = (r: PieceRangeHashes, bytes: number): void => {
    merge(out, r);
    hashed += bytes;
    options.onProgress?.(Math.min(hashed, plan.totalLengthBytes), plan.totalLengthBytes);
  };
  const jobBytes = (j: Job): number => (j.end - j.first) * plan.pieceLengthBytes;
  const wanted = options.workers ?? availableParallelism();
  const workers = wanted <= 1 || plan.totalLengthBytes < INLINE_BELOW_BYTES ? 0 : Math.min(wanted - 1, jobs.length);
  await hashWithThreads(plan, new JobQueue(jobs), workers, collect, jobBytes, options.signal);
  return out;
}

function merge(out: PlanHashes, r: PieceRangeHashes): void {
  const sha1 = Buffer.from(r.sha1.buffer, r.sha1.byteOffset, r.sha1.byteLength);
  sha1.copy(out.sha1, r.first * 20);
  for (const l of r.leaves) Buffer.from(l.hashes.buffer, l.hashes.byteOffset, l.hashes.byteLength).copy(out.leaves[l.file]!, l.firstBlock * HASH_BYTES);
}

type Job = { first: number; end: number };

/** Jobs handed out in order to whichever thread asks first. */
class JobQueue {
  private next = 0;
  constructor(readonly jobs: Job[]) {}
  take(): Job | undefined {
    return this.jobs[this.next++];
  }
}

function ioError(err: unknown, message = (err as Error).message): Error {
  if (err instanceof Error && err.name === 'AbortError') return err;
  return new MetainfoError('CREATE_IO', `reading files failed: ${message}`, 'runtime', { cause: err });
}

/**
 * Hashes with `count` worker threads (0 for small inputs) and the calling thread together: the calling thread
 * starts at once while the workers boot, and between its own jobs it yields so that workers' results are collected.
 */
function hashWithThreads(plan: HashPlan, queue: JobQueue, count: number, collect: (r: PieceRangeHashes, n: number) => void, jobBytes: (j: Job) => number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const reader = new PlanFileReader(plan);
    const scratch = Buffer.allocUnsafe(plan.pieceLengthBytes);
    const workers: Worker[] = [];
    const current = new Map<Worker, Job>();
    let pending = queue.jobs.length;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err) workers.forEach((w) => void w.terminate());
      else workers.forEach((w) => w.postMessage(null));
      reader.close();
      if (err) reject(err);
      else resolve();
    };
    const done = (r: PieceRangeHashes, job: Job): void => {
      collect(r, jobBytes(job));
      if (--pending === 0) finish();
    };
    const onAbort = (): void => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: Worker): void => {
      const job = queue.take();
      if (job) current.set(w, job);
      w.postMessage(job ?? null);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: plan });
      workers.push(w);
      w.on('message', (msg: { ok: true; result: PieceRangeHashes } | { ok: false; message: string }) => {
        if (settled) return;
        if (!msg.ok) return finish(ioError(undefined, msg.message));
        done(msg.result, current.get(w)!);
        if (!settled) feed(w);
      });
      w.on('error', (err) => finish(ioError(err)));
      feed(w);
    }
    const hashOwn = (): void => {
      if (settled) return;
      const job = queue.take();
      if (!job) return;
      try {
        done(hashPieceRange(plan, job.first, job.end, reader.read, scratch), job);
      } catch (err) {
        return finish(ioError(err));
      }
      setImmediate(hashOwn);
    };
    hashOwn();
  });
}
