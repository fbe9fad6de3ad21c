import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Metainfo } from '../metainfo/index.js';
import { sharedDiskWriter } from './disk-writer.js';
import { ioError, StorageError } from './errors.js';
import { FdCache } from './fd-cache.js';
import type { PieceStorage } from './interface.js';
import { PieceLayout, type Span } from './layout.js';

export interface FileStorageOptions {
  /** Most file handles kept open at once. */
  maxOpenFiles?: number;
}

export const DEFAULT_MAX_OPEN_FILES = 32;


/** Where a torrent's file lands under `root`: `root/name` for one file, `root/name/a/b` for a folder torrent. */
export function filePath(root: string, meta: Metainfo, fileIndex: number): string {
  const f = meta.files[fileIndex]!;
  return meta.singleFile ? join(root, meta.name) : join(root, meta.name, ...f.path);
}

/**
 * Pieces on disk: positional reads and writes through a small cache of open handles. Pad files (BEP 47) are
 * never written and read back as zeros.
 */
export class FileStorage implements PieceStorage {
  readonly layout: PieceLayout;
  private readonly fds: FdCache;
  private opened = false;

  constructor(
    readonly root: string,
    readonly meta: Metainfo,
    options: FileStorageOptions = {},
  ) {
    this.layout = PieceLayout.of(meta);
    this.fds = new FdCache(
      (i) => filePath(root, meta, i),
      (i) => meta.files[i]!.length,
      options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES,
    );
  }

  path(fileIndex: number): string {
    return filePath(this.root, this.meta, fileIndex);
  }

  async open(createFiles?: Iterable<number>): Promise<void> {
    this.opened = true;
    for (const i of createFiles ?? []) if (!this.meta.files[i]!.pad) await this.fds.create(i);
  }

  private check(piece: number, begin: number, length: number): Span[] {
    if (!this.opened) throw new StorageError('STORAGE_NOT_STARTED', 'storage used before open() or after close()');
    if (piece < 0 || piece >= this.layout.pieceCount || begin < 0 || length < 0 || begin + length > this.layout.pieceSize(piece)) {
      throw new StorageError('STORAGE_RANGE', `bytes ${begin}+${length} are outside piece ${piece}`);
    }
    return this.layout.spans(piece, begin, length);
  }

  async read(piece: number, begin: number, length: number, into?: Buffer): Promise<Buffer> {
    const spans = this.check(piece, begin, length);
    if (into && into.length < length) throw new StorageError('STORAGE_RANGE', `a ${into.length}-byte buffer cannot take ${length} bytes`);
    // Not zero-filled: every byte is read from disk except pad stretches (BEP 47), zeroed here.
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    for (const s of spans) if (s.pad) out.fill(0, s.bufferOffset, s.bufferOffset + s.length);
    await Promise.all(
      spans.filter((s) => !s.pad && s.length > 0).map((s) =>
        this.fds.use(s.fileIndex, false, async (h) => {
          const path = this.path(s.fileIndex);
          try {
            const { bytesRead } = await h.read(out, s.bufferOffset, s.length, s.fileOffset);
            if (bytesRead !== s.length) throw new StorageError('STORAGE_IO', `read ${path}: short read at ${s.fileOffset}`, 'read', path);
          } catch (err) {
            if (err instanceof StorageError) throw err;
            throw ioError('read', path, err);
          }
        }),
      ),
    );
    return out;
  }

  /**
   * Writes a stretch of a piece. Every write goes through the one disk-writer thread, in order, so writes to one
   * file never race for its inode lock in the kernel (ext4 spins on it: that cost the 1 GiB loopback download a
   * third of its system time when writes ran on libuv's pool).
   */
  async write(piece: number, begin: number, data: Buffer): Promise<void> {
    const spans = this.check(piece, begin, data.length);
    await Promise.all(spans.filter((s) => !s.pad && s.length > 0).map((s) => this.writeSpan(s, data)));
  }

  /** On the disk-writer thread (`disk-writer.ts` says why); the handle stays open until the write settles. */
  private writeSpan(s: Span, data: Buffer): Promise<void> {
    return this.fds.use(s.fileIndex, true, async (h) => {
      try {
        await sharedDiskWriter().write(h.fd, data.subarray(s.bufferOffset, s.bufferOffset + s.length), s.fileOffset);
      } catch (err) {
        const path = this.path(s.fileIndex);
        throw ioError('write', path, err);
      }
    });
  }

  async hashPiece(piece: number): Promise<Buffer | undefined> {
    let data: Buffer;
    try {
      data = await this.read(piece, 0, this.layout.pieceSize(piece));
    } catch (err) {
      if (err instanceof StorageError && err.code === 'STORAGE_IO') return undefined;
      throw err;
    }
    return createHash('sha1').update(data).digest();
  }

  async close(): Promise<void> {
    this.opened = false;
    await this.fds.closeAll();
  }
}
