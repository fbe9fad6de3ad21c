/**
 * Where a sender's blocks come from: a file read in large chunks with positional reads (so a lock-step transfer of
 * small blocks does not cost one disk read per block), or a buffer (netascii, converted in memory).
 */
import type { FileHandle } from 'node:fs/promises';

export interface BlockSource {
  readonly sizeBytes: number;
  /** The bytes [offset, offset+length); resolves synchronously (returns a Buffer) when already cached. */
  slice(offset: number, length: number): Buffer | Promise<Buffer>;
  close(): Promise<void>;
}

export class BufferSource implements BlockSource {
  constructor(private readonly data: Buffer) {}

  get sizeBytes(): number {
    return this.data.length;
  }

  slice(offset: number, length: number): Buffer {
    return this.data.subarray(offset, offset + length);
  }

  async close(): Promise<void> {}
}

export class FileSource implements BlockSource {
  private chunk = Buffer.alloc(0);
  private chunkOffset = 0;

  constructor(private readonly handle: FileHandle, readonly sizeBytes: number, private readonly chunkBytes: number) {}

  slice(offset: number, length: number): Buffer | Promise<Buffer> {
    if (offset >= this.chunkOffset && offset + length <= this.chunkOffset + this.chunk.length) {
      return this.chunk.subarray(offset - this.chunkOffset, offset - this.chunkOffset + length);
    }
    return this.fill(offset, length);
  }

  private async fill(offset: number, length: number): Promise<Buffer> {
    const want = Math.min(Math.max(this.chunkBytes, length), this.sizeBytes - offset);
    // A fresh buffer each time: slices of the old chunk may still sit in the socket's send queue.
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.chunk = buf.subarray(0, got);
    this.chunkOffset = offset;
    if (got < length) throw new Error('the file became shorter while it was being sent');
    return this.chunk.subarray(0, length);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
