/**
 * The receiving end of a plain STOR/APPE: socket reads land straight in megabyte batches (no copy, no allocation
 * per read) and each full batch is written to the file with one system call on the thread pool while the next
 * one fills. Reading pauses when every batch waits for the disk and resumes when one comes back.
 */
import type { FileHandle } from 'node:fs/promises';
import type { OwnReads } from './read-buffers.js';

/** A full batch is written with one call. */
export const BATCH_BYTES = 1024 * 1024;
/** Batches per transfer: at most this much waits for the disk before reading pauses. */
export const MAX_BATCHES = 8;
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

  private check(): void {
    if (!this.settle) return;
    if (this.failure !== undefined) this.settle.reject(this.failure);
    else if (!this.writing && this.full.length === 0) this.settle.resolve();
  }
}
