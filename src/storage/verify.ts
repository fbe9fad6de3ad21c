import { HashPool, type HashPlan, type Metainfo } from '../metainfo/index.js';
import { Bitfield } from '../wire/index.js';
import { filePath } from './file-storage.js';

/** What the hash pool needs to read a torrent's pieces from disk under `root`: its real files (pad files are zeros). */
export function diskHashPlan(root: string, meta: Metainfo): HashPlan {
  return {
    files: meta.files.flatMap((f, i) => (f.pad ? [] : [{ absolutePath: filePath(root, meta, i), length: f.length, offset: f.offset }])),
    pieceLengthBytes: meta.pieceLengthBytes,
    totalLengthBytes: meta.totalLengthBytes,
    v1: true,
    v2: false,
  };
}

// Each job is a run of pieces of about this many bytes; a few jobs per thread stay queued so no thread waits.
const JOB_BYTES = 8 * 1024 * 1024;
const JOBS_PER_THREAD = 2;

export interface VerifyOptions {
  signal?: AbortSignal;
  /** Pieces checked so far (in any order) and the total. */
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Hashes every piece of a torrent on disk in the hash pool's threads and returns the pieces that match (BEP 3
 * `pieces`). A file that is missing or short fails only the pieces it touches.
 */
export async function verifyOnDisk(root: string, meta: Metainfo, pool: HashPool, options: VerifyOptions = {}): Promise<Bitfield> {
  const have = new Bitfield(meta.pieceCount);
  const plan = diskHashPlan(root, meta);
  const perJob = Math.max(1, Math.floor(JOB_BYTES / meta.pieceLengthBytes));
  let next = 0;
  let checked = 0;
  const worker = async (): Promise<void> => {
    // Bounded: each turn takes the next run of pieces, and there are pieceCount / perJob of them.
    while (next < meta.pieceCount) {
      options.signal?.throwIfAborted();
      const first = next;
      const end = Math.min(meta.pieceCount, first + perJob);
      next = end;
      const r = await pool.checkRange(plan, first, end);
      for (let p = first; p < end; p++) {
        const i = p - first;
        if (!r.missing[i] && meta.pieces && r.sha1.subarray(i * 20, i * 20 + 20).equals(meta.pieces.subarray(p * 20, p * 20 + 20))) have.set(p);
      }
      checked += end - first;
      options.onProgress?.(checked, meta.pieceCount);
    }
  };
  // Every runner ends before the plan's files are closed; the first failure (an abort) is the one reported.
  const results = await Promise.allSettled(Array.from({ length: pool.size * JOBS_PER_THREAD }, worker));
  pool.release(plan);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return have;
}
