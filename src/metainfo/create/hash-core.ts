import { createHash } from 'node:crypto';
import { BLOCK_BYTES, HASH_BYTES } from '../merkle.js';

/** What a hasher needs to know: the real files and where they sit in the stream. Plain data, so it crosses to workers. */
export interface HashPlan {
  files: { absolutePath: string; length: number; offset: number }[];
  pieceLengthBytes: number;
  totalLengthBytes: number;
  v1: boolean;
  v2: boolean;
}

/** Hashes of pieces [first, end): SHA-1 per piece (v1) and SHA-256 per 16 KiB block of each file (v2 leaves). */
export interface PieceRangeHashes {
  first: number;
  sha1: Buffer;
  leaves: { file: number; firstBlock: number; hashes: Buffer }[];
}

/** Reads `length` bytes of plan file `file` at `position` into `into`; returns the count read. */
export type ReadAt = (file: number, into: Buffer, position: number) => number;

/** Index of the first file whose range ends after `pos` (files sorted by offset). */
function firstFileAt(plan: HashPlan, pos: number): number {
  let lo = 0;
  let hi = plan.files.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const f = plan.files[mid]!;
    if (f.offset + f.length <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Hashes a run of pieces, reading through `read`. Gaps between files (pad files) hash as zeros. In v2 and hybrid
 * layouts every file starts on a piece boundary, so each block lies inside one piece.
 */
export function hashPieceRange(plan: HashPlan, first: number, end: number, read: ReadAt, scratch: Buffer): PieceRangeHashes {
  const pl = plan.pieceLengthBytes;
  const sha1 = Buffer.alloc(plan.v1 ? (end - first) * 20 : 0);
  const leaves: PieceRangeHashes['leaves'] = [];
  for (let p = first; p < end; p++) {
    const start = p * pl;
    const stop = Math.min(start + pl, plan.totalLengthBytes);
    const piece = scratch.subarray(0, stop - start);
    let filled = start;
    for (let i = firstFileAt(plan, start); i < plan.files.length; i++) {
      const f = plan.files[i]!;
      if (f.offset >= stop) break;
      if (f.length === 0) continue;
      const from = Math.max(start, f.offset);
      const to = Math.min(stop, f.offset + f.length);
      if (from > filled) piece.fill(0, filled - start, from - start);
      readFully(read, i, piece.subarray(from - start, to - start), from - f.offset);
      filled = to;
      if (plan.v2) leaves.push(blockHashes(piece.subarray(from - start, to - start), i, (from - f.offset) / BLOCK_BYTES));
    }
    if (filled < stop) piece.fill(0, filled - start, stop - start);
    if (plan.v1) createHash('sha1').update(piece).digest().copy(sha1, (p - first) * 20);
  }
  return { first, sha1, leaves };
}

function readFully(read: ReadAt, file: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = read(file, into.subarray(done), position + done);
    if (n <= 0) throw new Error(`file ${file} ended early: it changed while it was being hashed`);
    done += n;
  }
}

function blockHashes(data: Buffer, file: number, firstBlock: number): PieceRangeHashes['leaves'][number] {
  const count = Math.ceil(data.length / BLOCK_BYTES);
  const hashes = Buffer.alloc(count * HASH_BYTES);
  for (let b = 0; b < count; b++) {
    createHash('sha256').update(data.subarray(b * BLOCK_BYTES, (b + 1) * BLOCK_BYTES)).digest().copy(hashes, b * HASH_BYTES);
  }
  return { file, firstBlock, hashes };
}

/** SHA-1 of pieces [first, end) read from disk, where a piece that cannot be read whole is marked, not fatal. */
export interface TolerantHashes {
  first: number;
  sha1: Buffer;
  /** One byte per piece: 1 when a file it needs is missing, short or unreadable (its SHA-1 is then zeros). */
  missing: Uint8Array;
}

/**
 * v1 hashes of a run of pieces for a resume check: a missing or short file fails only the pieces that touch it,
 * never the whole run (data on disk is hostile input, and a half-written download is the normal case).
 */
export function hashPiecesTolerant(plan: HashPlan, first: number, end: number, read: ReadAt, scratch: Buffer): TolerantHashes {
  const sha1 = Buffer.alloc((end - first) * 20);
  const missing = new Uint8Array(end - first);
  const v1Only = { ...plan, v1: true, v2: false };
  for (let p = first; p < end; p++) {
    try {
      hashPieceRange(v1Only, p, p + 1, read, scratch).sha1.copy(sha1, (p - first) * 20);
    } catch {
      missing[p - first] = 1;
    }
  }
  return { first, sha1, missing };
}
