import { createHash } from 'node:crypto';
import type { Metainfo } from '../metainfo/index.js';
import { StorageError } from './errors.js';
import type { PieceStorage } from './interface.js';
import { PieceLayout } from './layout.js';

/** Pieces held in memory: for tests and for small torrents that never touch disk. Unwritten pieces hash as missing. */
export class MemoryStorage implements PieceStorage {
  readonly layout: PieceLayout;
  private readonly pieces = new Map<number, Buffer>();
  private readonly written = new Map<number, number>();

  constructor(meta: Metainfo) {
    this.layout = PieceLayout.of(meta);
  }

  async open(): Promise<void> {}

  private piece(index: number, begin: number, length: number): Buffer {
    if (index < 0 || index >= this.layout.pieceCount || begin < 0 || begin + length > this.layout.pieceSize(index)) {
      throw new StorageError('STORAGE_RANGE', `bytes ${begin}+${length} are outside piece ${index}`);
    }
    let p = this.pieces.get(index);
    if (!p) this.pieces.set(index, (p = Buffer.alloc(this.layout.pieceSize(index))));
    return p;
  }

  async read(index: number, begin: number, length: number, into?: Buffer): Promise<Buffer> {
    const src = this.piece(index, begin, length).subarray(begin, begin + length);
    if (!into) return Buffer.from(src);
    src.copy(into);
    return into.subarray(0, length);
  }

  async write(index: number, begin: number, data: Buffer): Promise<void> {
    data.copy(this.piece(index, begin, data.length), begin);
    this.written.set(index, (this.written.get(index) ?? 0) + data.length);
  }

  async hashPiece(index: number): Promise<Buffer | undefined> {
    if ((this.written.get(index) ?? 0) < this.layout.pieceSize(index)) return undefined;
    return createHash('sha1').update(this.piece(index, 0, 0)).digest();
  }

  async close(): Promise<void> {}
}
