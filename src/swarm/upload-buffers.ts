/**
 * Piece buffers for the upload cache, reused once no socket still holds a block of them. A seed reads every piece
 * it sends into memory; a fresh 1 MiB buffer per piece is fresh pages from the kernel and work for the garbage
 * collector (for one seed and four leechers, more CPU than reading the data). A buffer dropped from the cache is
 * reused only when every write that took a block of it has been handed to the kernel; until then it is left alone.
 */
export class UploadBuffers {
  private readonly free: Buffer[] = [];
  /** Per buffer: written batches holding a block of it that the socket has not yet flushed. */
  private readonly held = new Map<Buffer, number>();
  /** Buffers out of the cache that still wait for a write to flush. */
  private readonly dropped = new Set<Buffer>();

  constructor(
    /** Only full-size piece buffers are reused (the last piece may be shorter). */
    private readonly pieceBytes: number,
    private readonly maxFree: number,
  ) {}

  /** A buffer for a piece of `size` bytes: a reused one when there is one of that size. */
  take(size: number): Buffer {
    if (size === this.pieceBytes && this.free.length > 0) return this.free.pop()!;
    return Buffer.allocUnsafe(size);
  }

  /** A batch of writes holding blocks of `buf` went to the socket. */
  hold(buf: Buffer): void {
    this.held.set(buf, (this.held.get(buf) ?? 0) + 1);
  }

  /** That batch was flushed (or failed): the socket no longer holds `buf`. */
  release(buf: Buffer): void {
    const n = (this.held.get(buf) ?? 1) - 1;
    if (n > 0) return void this.held.set(buf, n);
    this.held.delete(buf);
    if (this.dropped.delete(buf)) this.recycle(buf);
  }

  /** `buf` left the cache: reused now, or once its last write flushes. */
  drop(buf: Buffer): void {
    if (this.held.has(buf)) this.dropped.add(buf);
    else this.recycle(buf);
  }

  private recycle(buf: Buffer): void {
    if (buf.length === this.pieceBytes && this.free.length < this.maxFree) this.free.push(buf);
  }

  clear(): void {
    this.free.length = 0;
    this.dropped.clear();
  }
}
