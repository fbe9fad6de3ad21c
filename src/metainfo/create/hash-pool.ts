import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ByteWindow } from '../../util/byte-window.js';
import { startWorker } from '../../util/start-worker.js';
import { MetainfoError } from '../errors.js';
import { HASH_BYTES, BLOCK_BYTES } from '../merkle.js';
import { hashPieceRange, type HashPlan, type PieceRangeHashes, type TolerantHashes } from './hash-core.js';
import { PlanFileReader } from './file-reader.js';

/**
 * Hashing off the main thread, for everything that hashes a lot: `create` (every piece of the input), a
 * download (every piece as it completes) and the resume check (every piece on disk). One worker script, one pool
 * class; a process-wide pool (`sharedHashPool()`) serves the swarm, and `hashPlan` makes its own for `create`.
 * The shared pool hashes a slow process's pieces on the calling thread instead (`HASH_INLINE_BELOW_BYTES_PER_SEC`).
 *
 * @example
 *   const digest = (await sharedHashPool().sha1(piece)).digest;
 */

/** A message to a worker. `job` ties the answer to its promise. */
export type WorkerJob =
  | { kind: 'plan'; job: number; planId: number; plan: HashPlan }
  | { kind: 'drop'; job: number; planId: number }
  | { kind: 'range'; job: number; planId: number; first: number; end: number; tolerant: boolean }
  | { kind: 'sha1'; job: number; data: Uint8Array };

export type WorkerAnswer =
  | { job: number; ok: true; result?: PieceRangeHashes | TolerantHashes; digest?: Uint8Array; data?: Uint8Array }
  | { job: number; ok: false; message: string };

interface Pending {
  msg: WorkerJob;
  transfer: ArrayBuffer[];
  resolve: (a: WorkerAnswer & { ok: true }) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  busy?: Pending;
  plans: Set<number>;
}

export interface HashPoolOptions {
  /**
   * `sha1()` hashes on the calling thread while the process has hashed less than this in the last second or two
   * and no job waits or runs on a thread: a slow download never starts a thread (0: always on the threads).
   */
  inlineBelowBytesPerSec?: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

/**
 * Below this rate the shared pool's `sha1()` hashes on the calling thread. Starting a Worker costs about 70 ms of
 * CPU here (a V8 isolate and Node's bootstrap), more than a small download spends hashing; 8 MiB/s of SHA-1 is
 * about 1% of a core. The rate is the whole process's, so a daemon with many torrents that are each slow but fast
 * together hashes on the threads.
 */
export const HASH_INLINE_BELOW_BYTES_PER_SEC = 8 * 1024 * 1024;

/** A fixed set of worker threads taking jobs in order. Idle threads never keep the process alive. */
export class HashPool {
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private readonly planIds = new WeakMap<HashPlan, number>();
  private nextJob = 1;
  private nextPlan = 1;
  private closed = false;

  private readonly inlineBelow: number;
  private readonly window: ByteWindow;

  constructor(
    readonly size: number,
    options: HashPoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a hash pool needs at least one thread, not ${size}`);
    this.inlineBelow = options.inlineBelowBytesPerSec ?? 0;
    this.window = new ByteWindow(options.now);
  }

  /** Threads started so far (none while every hash was made on the calling thread). */
  get threadsStarted(): number {
    return this.threads.length;
  }

  /**
   * SHA-1 of `data`. When `data` owns its whole memory it is moved to the worker and back, not copied: use the
   * returned `data` afterwards, never the buffer passed in (it is detached meanwhile).
   */
  async sha1(data: Buffer): Promise<{ digest: Buffer; data: Buffer }> {
    // Slow and nothing on the threads (so answers keep their order): here, with no thread and no hop.
    if (this.window.add(data.length) < this.inlineBelow && this.queue.length === 0 && this.threads.every((t) => !t.busy)) {
      return { digest: createHash('sha1').update(data).digest(), data };
    }
    const movable = data.byteOffset === 0 && data.buffer.byteLength === data.length && !(data.buffer instanceof SharedArrayBuffer);
    const view = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const a = await this.run({ kind: 'sha1', job: 0, data: view }, movable ? [data.buffer as ArrayBuffer] : []);
    const back = movable ? Buffer.from(a.data!.buffer, a.data!.byteOffset, a.data!.byteLength) : data;
    return { digest: Buffer.from(a.digest!.buffer, a.digest!.byteOffset, a.digest!.byteLength), data: back };
  }

  /** Hashes pieces [first, end) of a plan's files; v2 leaves too when the plan asks. A read failure fails the job. */
  async hashRange(plan: HashPlan, first: number, end: number): Promise<PieceRangeHashes> {
    const a = await this.run({ kind: 'range', job: 0, planId: this.planId(plan), first, end, tolerant: false }, []);
    return a.result as PieceRangeHashes;
  }

  /** SHA-1 of pieces [first, end) on disk; a piece whose file is missing or short is marked, the rest hashed. */
  async checkRange(plan: HashPlan, first: number, end: number): Promise<TolerantHashes> {
    const a = await this.run({ kind: 'range', job: 0, planId: this.planId(plan), first, end, tolerant: true }, []);
    const r = a.result as TolerantHashes;
    return { first: r.first, sha1: Buffer.from(r.sha1.buffer, r.sha1.byteOffset, r.sha1.byteLength), missing: r.missing };
  }

  /** Forgets a plan: its files are closed in every thread. */
  release(plan: HashPlan): void {
    const planId = this.planIds.get(plan);
    if (planId === undefined) return;
    this.planIds.delete(plan);
    this.plansById.delete(planId);
    // Sent to the threads that know the plan, busy or not: a worker takes messages in order and does not answer this.
    for (const t of this.threads) if (t.plans.delete(planId)) t.worker.postMessage({ kind: 'drop', job: 0, planId } satisfies WorkerJob);
  }

  private planId(plan: HashPlan): number {
    let id = this.planIds.get(plan);
    if (id === undefined) this.planIds.set(plan, (id = this.nextPlan++));
    this.plansById.set(id, plan);
    return id;
  }

  private readonly plansById = new Map<number, HashPlan>();

  private run(msg: WorkerJob, transfer: ArrayBuffer[]): Promise<WorkerAnswer & { ok: true }> {
    if (this.closed) return Promise.reject(new MetainfoError('CREATE_IO', 'the hash pool is closed', 'runtime'));
    msg.job = this.nextJob++;
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, transfer, resolve, reject });
      this.pump();
    });
  }

  /** Hands queued jobs to idle threads, starting threads up to the pool's size as work arrives. */
  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      let t = this.threads.find((x) => !x.busy);
      if (!t && this.threads.length < this.size) t = this.spawn();
      if (!t) return;
      const job = this.queue.shift()!;
      const msg = job.msg;
      // A thread learns a plan once, just before its first job on it.
      if (msg.kind === 'range' && !t.plans.has(msg.planId)) {
        t.plans.add(msg.planId);
        this.queue.unshift(job);
        this.send(t, { msg: { kind: 'plan', job: this.nextJob++, planId: msg.planId, plan: this.plansById.get(msg.planId)! }, transfer: [], resolve: () => undefined, reject: job.reject });
        continue;
      }
      this.send(t, job);
    }
  }

  private send(t: Thread, job: Pending): void {
    t.busy = job;
    t.worker.ref();
    t.worker.postMessage(job.msg, job.transfer);
  }

  private spawn(): Thread {
    const worker = startWorker(new URL('./hash-worker.js', import.meta.url));
    const t: Thread = { worker, plans: new Set() };
    worker.on('message', (a: WorkerAnswer) => {
      const job = t.busy;
      if (job?.msg.job !== a.job) return;
      t.busy = undefined;
      worker.unref();
      if (a.ok) job.resolve(a);
      else job.reject(new Error(a.message));
      this.pump();
    });
    worker.on('error', (err) => this.fail(t, err));
    worker.on('exit', () => this.fail(t, new Error('a hash thread exited')));
    this.threads.push(t);
    return t;
  }

  /** A thread that died takes its job down with it; the others go on, and a new thread replaces it. */
  private fail(t: Thread, err: Error): void {
    const i = this.threads.indexOf(t);
    if (i < 0) return;
    this.threads.splice(i, 1);
    t.busy?.reject(err);
    t.busy = undefined;
    this.pump();
  }

  /** Ends every thread; queued and running jobs reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new MetainfoError('CREATE_IO', 'the hash pool was closed', 'runtime');
    for (const job of this.queue.splice(0)) job.reject(err);
    const threads = this.threads.splice(0);
    for (const t of threads) t.busy?.reject(err);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

let shared: HashPool | undefined;

/**
 * The process-wide pool the swarm verifies pieces with: one thread per core beyond the first (at least one, at
 * most four), so the main thread keeps a core for the network. Its idle threads do not keep the process alive.
 */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool(Math.max(1, Math.min(4, availableParallelism() - 1)), { inlineBelowBytesPerSec: HASH_INLINE_BELOW_BYTES_PER_SEC });
  return shared;
}

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
// The calling thread yields to the pool's messages after hashing about this much.
const OWN_STEP_BYTES = 1024 * 1024;

/** Hashes a whole plan for `create`: the calling thread and `workers - 1` pool threads take jobs from one queue. */
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
  const collect = (r: PieceRangeHashes, job: Job): void => {
    merge(out, r);
    hashed += (job.end - job.first) * plan.pieceLengthBytes;
    options.onProgress?.(Math.min(hashed, plan.totalLengthBytes), plan.totalLengthBytes);
  };
  const wanted = options.workers ?? availableParallelism();
  const threads = wanted <= 1 || plan.totalLengthBytes < INLINE_BELOW_BYTES ? 0 : Math.min(wanted - 1, jobs.length);
  const pool = threads > 0 ? new HashPool(threads) : undefined;
  try {
    await hashJobs(plan, jobs, pool, collect, options.signal);
  } finally {
    await pool?.close();
  }
  return out;
}

function merge(out: PlanHashes, r: PieceRangeHashes): void {
  const sha1 = Buffer.from(r.sha1.buffer, r.sha1.byteOffset, r.sha1.byteLength);
  sha1.copy(out.sha1, r.first * 20);
  for (const l of r.leaves) Buffer.from(l.hashes.buffer, l.hashes.byteOffset, l.hashes.byteLength).copy(out.leaves[l.file]!, l.firstBlock * HASH_BYTES);
}

type Job = { first: number; end: number };

function ioError(err: unknown): Error {
  if (err instanceof Error && err.name === 'AbortError') return err;
  return new MetainfoError('CREATE_IO', `reading files failed: ${(err as Error).message}`, 'runtime', { cause: err });
}

/**
 * Runs the jobs on the pool's threads and the calling thread together: the calling thread starts at once while
 * the threads boot, and between its own jobs it yields so that the threads' results are collected.
 */
function hashJobs(plan: HashPlan, jobs: Job[], pool: HashPool | undefined, collect: (r: PieceRangeHashes, job: Job) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const reader = new PlanFileReader(plan);
    const scratch = Buffer.allocUnsafe(plan.pieceLengthBytes);
    let next = 0;
    let pending = jobs.length;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reader.close();
      if (err) void pool?.close();
      if (err) reject(err);
      else resolve();
    };
    const done = (r: PieceRangeHashes, job: Job): void => {
      collect(r, job);
      if (--pending === 0) finish();
    };
    const onAbort = (): void => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const feedPool = (): void => {
      const job = jobs[next++];
      if (!job || settled) return;
      pool!.hashRange(plan, job.first, job.end).then(
        (r) => {
          if (settled) return;
          done(r, job);
          feedPool();
        },
        (err: unknown) => finish(ioError(err)),
      );
    };
    for (let i = 0; i < (pool?.size ?? 0); i++) feedPool();
    // The calling thread hashes its job a step at a time: a thread's finished job is collected, and the thread
    // fed again, only between steps, so a long step here would leave that thread idle.
    const stepPieces = Math.max(1, Math.floor(OWN_STEP_BYTES / plan.pieceLengthBytes));
    let own: { job: Job; at: number } | undefined;
    const hashOwn = (): void => {
      if (settled) return;
      if (!own) {
        const job = jobs[next++];
        if (!job) return;
        own = { job, at: job.first };
      }
      const { job, at } = own;
      const end = Math.min(job.end, at + stepPieces);
      try {
        collect(hashPieceRange(plan, at, end, reader.read, scratch), { first: at, end });
      } catch (err) {
        return finish(ioError(err));
      }
      own.at = end;
      if (end === job.end) {
        own = undefined;
        if (--pending === 0) return finish();
      }
      setImmediate(hashOwn);
    };
    hashOwn();
  });
}
