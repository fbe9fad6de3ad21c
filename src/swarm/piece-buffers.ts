/**
 * Memory for pieces being downloaded: fixed-size slots carved from a few large SharedArrayBuffers and reused, like
 * libtorrent's disk buffer pool. Shared memory lets the hash and disk-writer threads read a piece in place, with no
 * copy and no transfer that would detach the buffer under its owner. Slots are reused rather than dropped because
 * a dropped shared buffer stays alive until every thread that saw it has collected its garbage; so the arena only
 * grows, in chunks, up to `maxBytes` (what the partial pieces and the write queue may hold at once), and past that
 * a piece gets ordinary memory, which is copied to the writer and left to the garbage collector.
 *
 * @example
 *   const buffers = new PieceBuffers(1 << 20, 64 << 20);
 *   const b = buffers.take(1 << 20);   // ... fill, hash, write ...
 *   buffers.recycle(b);
 */

// Each growth step: large enough that a download needs few of them, small enough not to reserve memory unused.
const CHUNK_BYTES = 4 * 1024 * 1024;

interface Chunk {
  memory: SharedArrayBuffer;
  /** 1 while a slot is handed out, so a slot given back twice is never handed to two pieces. */
  inUse: Uint8Array;
}

export class PieceBuffers {
  private readonly free: { chunk: Chunk; slot: number }[] = [];
  private readonly chunks = new Map<SharedArrayBuffer, Chunk>();
  private allocatedBytes = 0;

  constructor(
    private readonly slotBytes: number,
    private readonly maxBytes: number,
  ) {}

  /** A buffer of `size` bytes (at most one slot): a free slot, a slot of a new chunk, or ordinary memory. */
  take(size: number): Buffer {
    if (size > this.slotBytes) return Buffer.allocUnsafe(size);
    const at = this.free.pop() ?? this.grow();
    if (!at) return Buffer.allocUnsafe(size);
    at.chunk.inUse[at.slot] = 1;
    return Buffer.from(at.chunk.memory, at.slot * this.slotBytes, size);
  }

  /** Gives a buffer back once its piece is written or dropped; one that is not a slot is left to the GC. */
  recycle(buffer: Buffer): void {
    const chunk = buffer.buffer instanceof SharedArrayBuffer ? this.chunks.get(buffer.buffer) : undefined;
    if (!chunk) return;
    const slot = Math.floor(buffer.byteOffset / this.slotBytes);
    if (chunk.inUse[slot] !== 1) return;
    chunk.inUse[slot] = 0;
    this.free.push({ chunk, slot });
  }

  private grow(): { chunk: Chunk; slot: number } | undefined {
    const slots = Math.max(1, Math.floor(CHUNK_BYTES / this.slotBytes));
    const bytes = slots * this.slotBytes;
    if (this.allocatedBytes + bytes > this.maxBytes) return undefined;
    const chunk: Chunk = { memory: new SharedArrayBuffer(bytes), inUse: new Uint8Array(slots) };
    this.chunks.set(chunk.memory, chunk);
    this.allocatedBytes += bytes;
    for (let s = slots - 1; s > 0; s--) this.free.push({ chunk, slot: s });
    return { chunk, slot: 0 };
  }
}
