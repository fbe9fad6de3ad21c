/**
 * Small files kept in memory, so a popular 4 KiB file costs no open/read/close per request. An entry is used only
 * while the file's size, modification time, change time and inode are those the request just saw with stat, so a
 * changed file is never served stale, and one whose mode changed (a chmod that makes it unreadable) is read again.
 */
import { readFile } from 'node:fs/promises';
import { SERVED_FILE_FLAGS } from './safe-path.js';

interface Entry {
  data: Buffer;
  mtimeMs: number;
  ctimeMs: number | undefined;
  ino: number;
}

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  /** The inode's change time: it moves with the mode and owner too, which the modification time does not. */
  ctimeMs?: number;
  ino: number;
}

export class SmallFileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly maxFileBytes: number, private readonly maxTotalBytes: number) {}

  /** The file's bytes when memory holds them as they are now (`id` from a stat just made), else undefined. */
  peek(path: string, id: FileIdentity): Buffer | undefined {
    const hit = this.entries.get(path);
    if (!hit || hit.mtimeMs !== id.mtimeMs || hit.ctimeMs !== id.ctimeMs || hit.ino !== id.ino || hit.data.length !== id.size) return undefined;
    // Map order doubles as recency: move the entry to the end.
    this.entries.delete(path);
    this.entries.set(path, hit);
    return hit.data;
  }

  /** The file's bytes, from memory when they are current, else read now and remembered. */
  async read(path: string, id: FileIdentity): Promise<Buffer> {
    const hit = this.peek(path, id);
    if (hit) return hit;
    const data = await readFile(path, { flag: SERVED_FILE_FLAGS });
    if (data.length !== id.size) return data; // changed while we read: serve it, remember nothing
    this.remember(path, { data, mtimeMs: id.mtimeMs, ctimeMs: id.ctimeMs, ino: id.ino });
    return data;
  }

  private remember(path: string, e: Entry): void {
    const old = this.entries.get(path);
    if (old) this.bytes -= old.data.length;
    this.entries.delete(path);
    this.entries.set(path, e);
    this.bytes += e.data.length;
    for (const [key, victim] of this.entries) {
      if (this.bytes <= this.maxTotalBytes) break;
      this.entries.delete(key);
      this.bytes -= victim.data.length;
    }
  }
}
