/**
 * The receiving end of a plain STOR/APPE: socket reads land straight in batches (no copy, no allocation per read),
 * and each full batch goes to the file.
 *
 * While the disk is fast a batch is written at once on the session's thread, in 64 KiB pwrites, as vsftpd writes
 * what it reads: measured on a 1 GiB STOR with curl (loopback, 12 runs each against vsftpd in turn), 0.61 s median
 * against 0.68 s with 1 MiB writes on the thread pool, whose hop (a pool thread's wake-up, then the event loop's)
 * and large page-cache allocations cost more than the copy, on a machine whose other core runs the client. Writes
 * that take `SLOW_WRITE_MS` twice in a row (util/write-all.ts: writeback throttling, a slow stick) mean a slow disk,
 * which must not stall every session again: from then on every STOR of the process writes on the pool, one batch at
 * a time while the next ones fill, and reading pauses when every batch waits for the disk.
 */
import type { FileHandle } from 'node:fs/promises';
import { DiskPace, writeAllTimed } from '../util/write-all.js';
import type { OwnReads } from './read-buffers.js';

/** A full batch is written at once: small enough to stay in the CPU's cache between the read and the write. */
export const BATCH_BYTES = 256 * 1024;
/** Batches per transfer: at most this much waits for the disk (on the pool) before reading pauses. */
export const MAX_BATCHES = 4;
/** Whether STOR writes have met a slow disk (`writeAllTimed`): one per process, tests pass their own. */
export const processDisk = new DiskPace();
/** A batch with less room than this left is sent to the disk, so no read is tiny. */
const MIN_READ_BYTES = 64 * 1024;

export class BatchWriter implements OwnReads {
  /** True once the socket reads into our buffers (it asked for one). */
  attached = false;
  /** Bytes written to the file so far. */
  written = 0;
  private readonly free: Buffer[] = [];
  private made = 0;
  private current: Buffer | undefined;
  private fill = 0;
  /** Where a read lands while no batch is free (after a resume, before the next batch is handed out). */
  private readonly parking = Buffer.allocUnsafe(MIN_READ_BYTES);
  private readonly full: { buf: Buffer; bytes: number }[] = [];
  private writing = false;
  private ended = false;
  private failure: unknown;
  private settle: { resolve(): void; reject(e: unknown): void } | undefined;

  /** `on.resume` restarts the socket's reading after a pause; `on.fail` reports a failed write at once. */
  constructor(
    private readonly file: FileHandle,
    private position: number,
    private readonly on: { resume(): void; fail(err: unknown): void },
    private readonly disk: DiskPace = processDisk,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.take(); // the first read lands in a batch, not in the parking buffer
  }

  buffer = (): Uint8Array => {
    this.attached = true;
    return this.current ? this.current.subarray(this.fill) : this.parking;
  };

  callback = (bytes: number, into: Uint8Array): boolean => {
    if (this.failure !== undefined) return false;
    if (into === this.parking) {
      // The first read after a pause: the batch taken before resuming is still empty.
      if (!this.current && !this.take()) return false;
      this.parking.copy(this.current!, this.fill, 0, bytes);
    }
    this.fill += bytes;
    if (BATCH_BYTES - this.fill >= MIN_READ_BYTES) return true;
    this.seal();
    return this.take();
  };

  /** The sender ended the stream: resolves once everything received is in the file. */
  finish(): Promise<void> {
    this.ended = true;
    if (this.current && this.fill > 0) this.seal();
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.check();
    });
  }

  private take(): boolean {
    this.current = this.free.pop();
    if (!this.current && this.made < MAX_BATCHES) {
      this.made++;
      this.current = Buffer.allocUnsafeSlow(BATCH_BYTES);
    }
    this.fill = 0;
    return this.current !== undefined;
  }

  private seal(): void {
    this.full.push({ buf: this.current!, bytes: this.fill });
    this.current = undefined;
    this.fill = 0;
    this.writeNext();
  }

  private writeNext(): void {
    const next = this.writing ? undefined : this.full.shift();
    if (!next) return this.check();
    if (!this.disk.slow) return this.writeHere(next);
    this.writing = true;
    this.file.write(next.buf, 0, next.bytes, this.position).then(
      () => {
        this.position += next.bytes;
        this.written += next.bytes;
        this.writing = false;
        this.free.push(next.buf);
        if (!this.current && !this.ended && this.take()) this.on.resume();
        this.writeNext();
      },
      (err: unknown) => {
        this.failure = err;
        this.writing = false;
        this.on.fail(err);
        this.check();
      },
    );
  }

  /** Writes a batch at once on this thread; the batch is free again when this returns. */
  private writeHere(next: { buf: Buffer; bytes: number }): void {
    try {
      writeAllTimed(this.file.fd, next.buf.subarray(0, next.bytes), this.position, this.disk, this.now);
    } catch (err) {
      this.failure = err;
      this.on.fail(err);
      return this.check();
    }
    this.position += next.bytes;
    this.written += next.bytes;
    this.free.push(next.buf);
    this.writeNext();
  }

  private check(): void {
    if (!this.settle) return;
    if (this.failure !== undefined) this.settle.reject(this.failure);
    else if (!this.writing && this.full.length === 0) this.settle.resolve();
  }
}
