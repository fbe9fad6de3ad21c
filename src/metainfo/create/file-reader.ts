import { closeSync, openSync, readSync } from 'node:fs';
import type { HashPlan, ReadAt } from './hash-core.js';

// At most this many files stay open while hashing; enough for sequential reads, far below any fd limit.
const MAX_OPEN_FILES = 64;

/** Positional reads through a small cache of open descriptors. Synchronous: it runs in a worker or on small inputs. */
export class PlanFileReader {
  private readonly open = new Map<number, number>();

  constructor(private readonly plan: HashPlan) {}

  readonly read: ReadAt = (file, into, position) => {
    let fd = this.open.get(file);
    if (fd === undefined) {
      if (this.open.size >= MAX_OPEN_FILES) this.close();
      fd = openSync(this.plan.files[file]!.absolutePath, 'r');
      this.open.set(file, fd);
    }
    return readSync(fd, into, 0, into.length, position);
  };

  close(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}
