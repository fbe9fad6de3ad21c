import type { Worker } from 'node:worker_threads';
import { ByteWindow } from '../util/byte-window.js';
import { DiskPace, SLOW_WRITE_MS, writeAllTimed } from '../util/write-all.js';
import { startWorker } from '../util/start-worker.js';

/**
 * Positional writes on a thread of their own, the way libtorrent keeps a disk thread: one worker takes write jobs
 * in order and makes them with synchronous pwrites of at most `WRITE_CALL_BYTES` each (`util/write-all.ts`).
 *
 * Why not libuv's thread pool (`FileHandle.write`): measured on this project's 2-core VM, writing a fresh 1 GiB file
 * in 1 MiB pool writes cost 1.8-2.3 s of system time, in 64 KiB pool writes 0.75 s, and in 64 KiB synchronous writes
 * from one thread 0.28 s. Large writes are backed by large page-cache folios from high-order free memory, which a
 * VM with free page reporting has handed back to its host (a host fault per page on first touch); and pool writes
 * pay a wake-up of a pool thread and of the main loop per call.
 *
 * A buffer on a SharedArrayBuffer is written in place (the swarm's piece buffers are); any other is copied to the
 * thread, so a caller never sees its buffer detached.
 *
 * The thread starts only when writes come fast. Starting a Worker costs about 70 ms of CPU (a V8 isolate and
 * Node's bootstrap), which is most of what a small download spends on its disk: below `inlineBelowBytesPerSec`,
 * with nothing queued on the thread, a write is made at once on the calling thread with the same 64 KiB pwrites
 * (a 256 KiB piece is four calls into the page cache). A disk that makes such writes wait `slowWriteMs` or more
 * twice in a row (a slow stick, writeback throttling) must not stall the caller's event loop again: from then on
 * every write goes to the thread.
 *
 * @example
 *   await sharedDiskWriter().write(handle.fd, piece, 1_048_576 * 7);
 */

export type WriteJob = { id: number; fd: number; data: Uint8Array; position: number };
export type WriteAnswer = { id: number; ok: true } | { id: number; ok: false; code: string; message: string };

/** A failed write: `code` is the system error code (`ENOSPC`, `EIO`...) when there is one. */
export class DiskWriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DiskWriteError';
  }
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface DiskWriterOptions {
  /** Writes are made on the calling thread while the writes of the last second or two total less than this. */
  inlineBelowBytesPerSec?: number;
  /** A write on the calling thread that takes this long sends every later write to the thread. */
  slowWriteMs?: number;
  /** The clock, in ms (tests pass their own). */
  now?: () => number;
}

export const DISK_WRITER_DEFAULTS = { inlineBelowBytesPerSec: 8 * 1024 * 1024, slowWriteMs: SLOW_WRITE_MS };

export class DiskWriter {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly inlineBelow: number;
  private readonly slowMs: number;
  private readonly now: () => number;
  /** Bytes written in the last second or two. */
  private readonly window: ByteWindow;
  /** Writes on the calling thread were slow: the disk is, and writes stay on the thread. */
  private readonly pace = new DiskPace();

  constructor(options: DiskWriterOptions = {}) {
    this.inlineBelow = options.inlineBelowBytesPerSec ?? DISK_WRITER_DEFAULTS.inlineBelowBytesPerSec;
    this.slowMs = options.slowWriteMs ?? DISK_WRITER_DEFAULTS.slowWriteMs;
    this.now = options.now ?? Date.now;
    this.window = new ByteWindow(this.now);
  }

  /** Whether the thread has been started (it never is while writes stay slow and small). */
  get threadStarted(): boolean {
    return this.worker !== undefined;
  }

  /** Writes all of `data` at `position` of the open file `fd`; the descriptor must stay open until this settles. */
  write(fd: number, data: Buffer, position: number): Promise<void> {
    if (this.inline(data.length)) return this.writeHere(fd, data, position);
    const worker = this.thread();
    const id = this.nextId++;
    const view = new Uint8Array(data.buffer, data.byteOffset, data.length);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, fd, data: view, position } satisfies WriteJob);
    });
  }

  /** Counts the write in the current second and says whether it is made here (see the class comment). */
  private inline(bytes: number): boolean {
    const recent = this.window.add(bytes);
    return !this.pace.slow && this.pending.size === 0 && recent < this.inlineBelow;
  }

  private writeHere(fd: number, data: Buffer, position: number): Promise<void> {
    try {
      writeAllTimed(fd, data, position, this.pace, this.now, this.slowMs);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return Promise.reject(new DiskWriteError(e.code ?? 'EIO', e.message));
    }
    return Promise.resolve();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(new URL('./disk-writer-worker.js', import.meta.url));
    worker.on('message', (a: WriteAnswer) => {
      const job = this.pending.get(a.id);
      if (!job) return;
      this.pending.delete(a.id);
      if (this.pending.size === 0) worker.unref();
      if (a.ok) job.resolve();
      else job.reject(new DiskWriteError(a.code, a.message));
    });
    // A thread that dies fails what it held; the next write starts a new one.
    const died = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const job of this.pending.values()) job.reject(new DiskWriteError('EWORKER', err.message));
      this.pending.clear();
    };
    worker.on('error', died);
    worker.on('exit', () => died(new Error('the disk writer thread exited')));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

let shared: DiskWriter | undefined;

/** The process-wide disk writer. Its thread starts with the first write and never keeps the process alive idle. */
export function sharedDiskWriter(): DiskWriter {
  shared ??= new DiskWriter();
  return shared;
}
