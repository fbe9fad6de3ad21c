import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { LabError } from './errors.js';

/** Where a running lab says so: one lab at a time on a machine (its namespaces and its measurements). */
export const LOCK_PATH = '/run/tandem-lab.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file, holding this process's pid. A lock whose process is gone is taken over; a live one makes
 * this run refuse to start. Returns the release function.
 */
export function takeLock(path = LOCK_PATH): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new LabError('LAB_BUSY', `cannot create the lock file ${path}: ${(err as Error).message}`);
      let pid = NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new LabError('LAB_BUSY', `another tandem lab is running (pid ${pid}, lock file ${path}); wait for it to end`);
      try {
        unlinkSync(path);
      } catch {
        // someone else took it over first
      }
    }
  }
  throw new LabError('LAB_BUSY', `cannot take the lock file ${path}`);
}
