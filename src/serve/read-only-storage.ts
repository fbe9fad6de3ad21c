/**
 * The seed's storage for one served file: positional reads through one read-only handle, never a write. The
 * server seeds files it serves, so it must not create, extend or touch them (a changed mtime would also change
 * the file's cache key and its torrent).
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Metainfo } from '../metainfo/index.js';
import type { PieceStorage } from '../storage/index.js';
import { SeedError } from './errors.js';

export class ReadOnlyFileStorage implements PieceStorage {
  private handle?: FileHandle;
  private opening?: Promise<FileHandle>;

  constructor(
    private readonly path: string,
    private readonly meta: Metainfo,
  ) {}

  async open(): Promise<void> {
    // Opened lazily on the first read: a seed that no peer asks anything of holds no descriptor.
  }

  private file(): Promise<FileHandle> {
    if (this.handle) return Promise.resolve(this.handle);
    this.opening ??= open(this.path, 'r').then((h) => (this.handle = h));
    return this.opening;
  }

  /** Reads into `into` when given (the uploader's reused piece buffers, as `FileStorage` does), else a new buffer. */
  async read(piece: number, begin: number, length: number, into?: Buffer): Promise<Buffer> {
    const offset = piece * this.meta.pieceLengthBytes + begin;
    if (piece < 0 || begin < 0 || length < 0 || offset + length > this.meta.totalLengthBytes || (into && into.length < length)) {
      throw new SeedError('SEED_IO', `bytes ${begin}+${length} of piece ${piece} are outside ${this.path} or the buffer`);
    }
    // Not zero-filled: a read shorter than asked is refused below, so every byte returned comes from the file.
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    try {
      const { bytesRead } = await (await this.file()).read(out, 0, length, offset);
      if (bytesRead !== length) throw new Error(`short read at ${offset} (the file shrank)`);
    } catch (err) {
      throw new SeedError('SEED_IO', `read ${this.path}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    return out;
  }

  write(): Promise<void> {
    return Promise.reject(new SeedError('SEED_READ_ONLY', `${this.path} is served, never written by the seed`));
  }

  async hashPiece(piece: number): Promise<Buffer | undefined> {
    const size = Math.min(this.meta.pieceLengthBytes, this.meta.totalLengthBytes - piece * this.meta.pieceLengthBytes);
    try {
      return createHash('sha1').update(await this.read(piece, 0, size)).digest();
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    const h = this.handle ?? (await this.opening?.catch(() => undefined));
    this.handle = undefined;
    this.opening = undefined;
    await h?.close();
  }
}
