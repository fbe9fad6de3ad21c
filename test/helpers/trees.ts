import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { xorshift } from './rng.js';

/** Deterministic pseudo-random bytes (xorshift), so fixtures are the same on every run. */
export function patternBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  const next = xorshift(seed);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/**
 * The tree the issues ask for: nested folders, an empty file, sizes that are not multiples of any piece length,
 * and names that sort differently by full path and by component ("a-c" vs "a/...").
 */
export async function makeSampleTree(root: string): Promise<string> {
  const dir = join(root, 'sample');
  const files: [string, number][] = [
    ['a/b/deep.bin', 70_001],
    ['a/empty.txt', 0],
    ['a-c.txt', 1_234],
    ['c/d/e/f.bin', 200_000],
    ['top.bin', 16_384],
    ['z.dat', 5],
  ];
  let seed = 7;
  for (const [path, length] of files) {
    const full = join(dir, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, patternBytes(length, seed++));
  }
  return dir;
}
