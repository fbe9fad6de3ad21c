/**
 * Mid-run checkpoints: files named `checkpoint` or `checkpoint.*` in the module's folder are its saved state, not
 * its output. A module writes one (O_CREAT, and the file is replaced whole when it is closed), and the sandbox
 * hands the closed file to its parent, which keeps it in the instance's slot on disk; when the volunteer restarts,
 * the instance runs again with those files in its folder, so the module continues from where it saved instead of
 * from the start (BOINC's checkpoint files, done by the application, kept by the client). They never enter the
 * output bundle, and together they are bounded like the output.
 */
import { OutputLimit } from './bundle.js';

const CHECKPOINT_RE = /^checkpoint(\.[A-Za-z0-9_-]{1,32})?$/;
const MAX_FILES = 8;

export function isCheckpointName(name: string): boolean {
  return CHECKPOINT_RE.test(name);
}

export class CheckpointFiles {
  private readonly files: Map<string, Uint8Array>;
  private readonly writing = new Map<number, { name: string; chunks: Uint8Array[]; bytes: number }>();

  /** `saved` are the files of an earlier run; `onSaved` hears of each file closed after a write. */
  constructor(saved: Iterable<[string, Uint8Array]>, private readonly limitBytes: number, private readonly onSaved?: (name: string, data: Uint8Array) => void) {
    this.files = new Map([...saved].filter(([n]) => isCheckpointName(n)).slice(0, MAX_FILES));
  }

  get(name: string): Uint8Array | undefined {
    return this.files.get(name);
  }

  /** A write to `name` begins on descriptor `fd`: the file is replaced when that descriptor is closed. */
  begin(fd: number, name: string): void {
    if (!this.files.has(name) && this.files.size >= MAX_FILES) throw new OutputLimit(this.limitBytes);
    this.writing.set(fd, { name, chunks: [], bytes: 0 });
  }

  isWriting(fd: number): boolean {
    return this.writing.has(fd);
  }

  append(fd: number, chunk: Uint8Array): void {
    const w = this.writing.get(fd)!;
    if (this.totalBytes(w.name) + w.bytes + chunk.length > this.limitBytes) throw new OutputLimit(this.limitBytes);
    w.chunks.push(Uint8Array.from(chunk));
    w.bytes += chunk.length;
  }

  /** The descriptor is closed: its bytes become the checkpoint file, and the parent is told. */
  close(fd: number): void {
    const w = this.writing.get(fd);
    if (!w) return;
    this.writing.delete(fd);
    const data = Buffer.concat(w.chunks);
    this.files.set(w.name, data);
    this.onSaved?.(w.name, data);
  }

  /** Bytes of the saved files other than `except`. */
  private totalBytes(except: string): number {
    let n = 0;
    for (const [name, data] of this.files) if (name !== except) n += data.length;
    return n;
  }
}
