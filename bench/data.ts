import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A folder for bench data that survives between runs (files are large and slow to make). */
export function benchDir(): string {
  const dir = join(tmpdir(), 'tandem-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A file of random bytes of the given size, made once and reused. */
export function randomFile(name: string, bytes: number): string {
  const path = join(benchDir(), name);
  try {
    if (statSync(path).size === bytes) return path;
  } catch {
    /* make it */
  }
  const fd = openSync(path, 'w');
  const chunk = 4 * 1024 * 1024;
  for (let done = 0; done < bytes; done += chunk) writeSync(fd, randomBytes(Math.min(chunk, bytes - done)));
  closeSync(fd);
  return path;
}
