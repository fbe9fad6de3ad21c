import { mkdir, open, rename, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decode, encode, isBytes, isDict, isInt, isList } from '../bencode/index.js';
import { sharedHashPool, type HashPool, type Metainfo } from '../metainfo/index.js';
import { Bitfield } from '../wire/index.js';
import { FileStorage, filePath } from './file-storage.js';
import type { PieceStorage } from './interface.js';
import { verifyOnDisk } from './verify.js';

/**
 * Resume data: the verified bitfield, with the size and mtime of every file at the moment it was saved. On
 * restart the bitfield is trusted only when every file still has that size and mtime; otherwise every piece is
 * hashed again. Pieces are written only once verified, and the bitfield is saved only after their writes
 * finished, so the resume file never names a piece that is not on disk.
 */
export interface ResumeData {
  infoHash: Buffer;
  bitfield: Bitfield;
  /** Per file: [size, mtimeMs], or undefined for a file that did not exist. */
  files: ([number, number] | undefined)[];
}

/**
 * Where a torrent's resume data is kept. The default is a file beside the data (`.tandem/HASH.resume`, for
 * `get`); the node keeps it in its database. `save` is given the bitfield and the file stats taken after it.
 */
export interface ResumeBackend {
  load(meta: Metainfo, infoHash: Buffer): Promise<ResumeData | undefined>;
  save(meta: Metainfo, infoHash: Buffer, data: ResumeData): Promise<void>;
}

/** Builds the resume record for `bitfield`, statting the files after copying it (see `saveResume`). */
export async function snapshotResume(root: string, meta: Metainfo, infoHash: Buffer, bitfield: Bitfield): Promise<ResumeData> {
  const bits = new Bitfield(meta.pieceCount, Buffer.from(bitfield.bytes));
  return { infoHash, bitfield: bits, files: await statFiles(root, meta) };
}

/** Checks a stored resume record against the torrent; undefined when it does not fit (it is advice, never trusted blindly). */
export function validResume(meta: Metainfo, infoHash: Buffer, bits: Buffer, files: unknown[]): ResumeData | undefined {
  if (bits.length !== Bitfield.byteLength(meta.pieceCount) || !Bitfield.spareBitsClear(bits, meta.pieceCount)) return undefined;
  if (files.length !== meta.files.length) return undefined;
  const parsed = files.map((f) =>
    Array.isArray(f) && f.length === 2 && Number.isSafeInteger(f[0]) && Number.isSafeInteger(f[1]) ? ([f[0], f[1]] as [number, number]) : undefined,
  );
  return { infoHash, bitfield: new Bitfield(meta.pieceCount, Buffer.from(bits)), files: parsed };
}

const MAX_RESUME_BYTES = 64 * 1024 * 1024;
let saveCounter = 0;

export function resumePath(root: string, infoHash: Buffer): string {
  return join(root, '.tandem', `${infoHash.toString('hex')}.resume`);
}

async function statFiles(root: string, meta: Metainfo): Promise<([number, number] | undefined)[]> {
  return Promise.all(
    meta.files.map(async (f, i) => {
      if (f.pad) return undefined;
      try {
        const s = await stat(filePath(root, meta, i));
        return [s.size, Math.floor(s.mtimeMs)] as [number, number];
      } catch {
        return undefined;
      }
    }),
  );
}

/** Saves the bitfield with the files' current sizes and mtimes: written to a temporary file, synced, renamed. */
export async function saveResume(root: string, meta: Metainfo, infoHash: Buffer, bitfield: Bitfield): Promise<void> {
  // The bitfield is copied before the files are looked at: a piece finished meanwhile changes an mtime after the
  // copy, which can only make this file stale (then pieces are hashed again), never over-claim.
  const bits = Buffer.from(bitfield.bytes);
  const path = resumePath(root, infoHash);
  await mkdir(dirname(path), { recursive: true });
  const files = await statFiles(root, meta);
  const bytes = encode({ 'info-hash': infoHash, bitfield: bits, files: files.map((f) => (f ? [f[0], f[1]] : [])) });
  const tmp = `${path}.${process.pid}.${++saveCounter}.tmp`;
  const h = await open(tmp, 'w');
  try {
    try {
      await h.writeFile(bytes);
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk fails the write after the file was made: the empty temporary file must not stay behind.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function deleteResume(root: string, infoHash: Buffer): Promise<void> {
  await unlink(resumePath(root, infoHash)).catch(() => undefined);
}

/** Reads a resume file; undefined when absent, unreadable or for another torrent (it is advice, never trusted blindly). */
export async function loadResume(root: string, meta: Metainfo, infoHash: Buffer): Promise<ResumeData | undefined> {
  let bytes: Buffer;
  try {
    const path = resumePath(root, infoHash);
    if ((await stat(path)).size > MAX_RESUME_BYTES) return undefined;
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  try {
    const d = decode(bytes);
    if (!isDict(d)) return undefined;
    const ih = d.get('info-hash');
    const bits = d.get('bitfield');
    const files = d.get('files');
    if (!isBytes(ih) || !ih.equals(infoHash) || !isBytes(bits) || !isList(files) || files.length !== meta.files.length) return undefined;
    if (bits.length !== Bitfield.byteLength(meta.pieceCount) || !Bitfield.spareBitsClear(bits, meta.pieceCount)) return undefined;
    const parsed = files.map((f) => (isList(f) && f.length === 2 && isInt(f[0]) && isInt(f[1]) ? ([Number(f[0]), Number(f[1])] as [number, number]) : undefined));
    return { infoHash: ih, bitfield: new Bitfield(meta.pieceCount, bits), files: parsed };
  } catch {
    return undefined;
  }
}

export interface CheckResult {
  have: Bitfield;
  /** 'resume' when the resume file was trusted, 'hashed' when pieces were hashed again. */
  source: 'resume' | 'hashed' | 'empty';
}

export interface CheckOptions {
  signal?: AbortSignal;
  onProgress?: (checked: number, total: number) => void;
  /** Threads that hash files on disk; the process-wide pool by default. */
  pool?: HashPool;
  /** Where resume data is read from; the `.tandem/` file by default. */
  resume?: ResumeBackend;
}

/**
 * What is already on disk and verified. `onProgress` reports pieces checked. Pieces outside `wanted` are checked too
 * (they may be needed to seed); a missing or short file fails only its own pieces. Files are hashed in the hash
 * pool's threads; other backends through `hashPiece`.
 */
export async function checkExisting(root: string, meta: Metainfo, infoHash: Buffer, storage: PieceStorage, options: CheckOptions = {}): Promise<CheckResult> {
  const current = await statFiles(root, meta);
  const resume = options.resume ? await options.resume.load(meta, infoHash) : await loadResume(root, meta, infoHash);
  if (resume && current.every((c, i) => meta.files[i]!.pad || (c && resume.files[i] && c[0] === resume.files[i]![0] && c[1] === resume.files[i]![1]))) {
    return { have: resume.bitfield, source: 'resume' };
  }
  if (current.every((c, i) => meta.files[i]!.pad || c === undefined)) return { have: new Bitfield(meta.pieceCount), source: 'empty' };
  if (storage instanceof FileStorage) return { have: await verifyOnDisk(storage.root, meta, options.pool ?? sharedHashPool(), options), source: 'hashed' };
  const have = new Bitfield(meta.pieceCount);
  for (let p = 0; p < meta.pieceCount; p++) {
    options.signal?.throwIfAborted();
    const digest = await storage.hashPiece(p);
    if (digest && meta.pieces && digest.equals(meta.pieces.subarray(p * 20, p * 20 + 20))) have.set(p);
    options.onProgress?.(p + 1, meta.pieceCount);
  }
  return { have, source: 'hashed' };
}
