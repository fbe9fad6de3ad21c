import type { Metainfo } from '../metainfo/index.js';

/** One stretch of a read or write that falls in one file. `pad` stretches are zeros that never touch disk (BEP 47). */
export interface Span {
  fileIndex: number;
  fileOffset: number;
  length: number;
  /** Where this stretch starts in the caller's buffer. */
  bufferOffset: number;
  pad: boolean;
}

/** The geometry of a torrent's byte stream: how pieces fall onto files. Pure. */
export class PieceLayout {
  readonly pieceLengthBytes: number;
  readonly totalLengthBytes: number;
  readonly pieceCount: number;
  private readonly starts: number[];

  constructor(readonly files: Metainfo['files'], pieceLengthBytes: number, totalLengthBytes: number) {
    this.pieceLengthBytes = pieceLengthBytes;
    this.totalLengthBytes = totalLengthBytes;
    this.pieceCount = Math.ceil(totalLengthBytes / pieceLengthBytes);
    this.starts = files.map((f) => f.offset);
  }

  static of(meta: Metainfo): PieceLayout {
    return new PieceLayout(meta.files, meta.pieceLengthBytes, meta.totalLengthBytes);
  }

  /** Bytes in piece `index` (the last one may be short). */
  pieceSize(index: number): number {
    if (index === this.pieceCount - 1) return this.totalLengthBytes - index * this.pieceLengthBytes;
    return this.pieceLengthBytes;
  }

  /** Splits `length` bytes at `begin` of piece `index` into per-file stretches, in stream order. */
  spans(index: number, begin: number, length: number): Span[] {
    const start = index * this.pieceLengthBytes + begin;
    const end = start + length;
    const out: Span[] = [];
    let i = this.fileAt(start);
    for (let pos = start; pos < end && i < this.files.length; i++) {
      const f = this.files[i]!;
      const fileEnd = f.offset + f.length;
      if (fileEnd <= pos) continue;
      const n = Math.min(end, fileEnd) - pos;
      out.push({ fileIndex: i, fileOffset: pos - f.offset, length: n, bufferOffset: pos - start, pad: f.pad });
      pos += n;
    }
    return out;
  }

  /** The files (indexes) that piece `index` touches, empty files excluded. */
  filesOfPiece(index: number): number[] {
    return this.spans(index, 0, this.pieceSize(index)).map((s) => s.fileIndex);
  }

  /** The pieces a file covers, as [first, last]; undefined for an empty file. */
  piecesOfFile(fileIndex: number): [number, number] | undefined {
    const f = this.files[fileIndex]!;
    if (f.length === 0) return undefined;
    return [Math.floor(f.offset / this.pieceLengthBytes), Math.floor((f.offset + f.length - 1) / this.pieceLengthBytes)];
  }

  /** Index of the last file starting at or before `pos` (binary search over the start offsets). */
  private fileAt(pos: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    // Empty files share their offset with the next file; step back to the first file at this offset.
    while (lo > 0 && this.starts[lo - 1] === this.starts[lo]) lo--;
    return lo;
  }
}
