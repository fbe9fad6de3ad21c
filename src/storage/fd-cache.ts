import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ioError } from './errors.js';

/**
 * A small cache of open file handles, least recently used closed first, so a torrent of thousands of files does
 * not hold thousands of descriptors. Files are opened read-write and created on first write, sparse: `truncate`
 * sets the size without writing (DESIGN.md §6).
 */
export class FdCache {
  private readonly entries = new Map<number, { handle: Promise<FileHandle>; users: number }>();

  constructor(
    private readonly pathOf: (fileIndex: number) => string,
    private readonly sizeOf: (fileIndex: number) => number,
    private readonly maxOpen: number,
  ) {}

  /** Runs `fn` with the file's handle; the handle is not closed by eviction while `fn` runs. */
  async use<T>(fileIndex: number, forWrite: boolean, fn: (h: FileHandle) => Promise<T>): Promise<T> {
    let entry = this.entries.get(fileIndex);
    if (entry) {
      this.entries.delete(fileIndex);
      this.entries.set(fileIndex, entry);
    } else {
      entry = { handle: this.openFile(fileIndex, forWrite), users: 0 };
      this.entries.set(fileIndex, entry);
      entry.handle.catch(() => this.entries.delete(fileIndex));
    }
    entry.users++;
    try {
      return await fn(await entry.handle);
    } finally {
      entry.users--;
      await this.evict();
    }
  }

  /** Creates the file (sparse, at its full size) if missing. */
  async create(fileIndex: number): Promise<void> {
    await this.use(fileIndex, true, async () => undefined);
  }

  private async openFile(fileIndex: number, forWrite: boolean): Promise<FileHandle> {
    const path = this.pathOf(fileIndex);
    try {
      return await open(path, 'r+');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || !forWrite) throw ioError('open', path, err);
    }
    try {
      await mkdir(dirname(path), { recursive: true });
      // 'wx+': create only; a file that appeared meanwhile is opened instead.
      const h = await open(path, 'wx+').catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return open(path, 'r+');
        throw err;
      });
      const size = this.sizeOf(fileIndex);
      if ((await h.stat()).size < size) await h.truncate(size);
      return h;
    } catch (err) {
      throw ioError('create', path, err);
    }
  }

  private async evict(): Promise<void> {
    if (this.entries.size <= this.maxOpen) return;
    for (const [index, entry] of this.entries) {
      if (this.entries.size <= this.maxOpen) break;
      if (entry.users > 0) continue;
      this.entries.delete(index);
      await entry.handle.then((h) => h.close()).catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.handle.then((h) => h.close()).catch(() => undefined)));
  }
}
