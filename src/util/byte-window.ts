/**
 * Bytes that passed through something in the last second or two: a cheap rate gauge for "is this stream fast?",
 * without timers. The count covers the current one-second window and the one before it, unless that one is long
 * over, so a fast stream stays fast across the turn of a window.
 *
 * The disk writer and the hash pool each keep one for the whole process: below a few MiB/s their work is done on
 * the calling thread (no thread to start, no hop), above it on their threads.
 */
export class ByteWindow {
  private windowBytes = 0;
  private windowStartMs = -Infinity;
  private previousWindowBytes = 0;

  /** `now` is the clock in ms (tests pass their own). */
  constructor(private readonly now: () => number = Date.now) {}

  /** Counts `bytes` now and returns the bytes of the last second or two, these included. */
  add(bytes: number): number {
    const now = this.now();
    if (now - this.windowStartMs >= 1000) {
      this.previousWindowBytes = now - this.windowStartMs < 2000 ? this.windowBytes : 0;
      this.windowStartMs = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes;
    return this.previousWindowBytes + this.windowBytes;
  }
}
