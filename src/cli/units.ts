import { TandemError } from '../util/errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 };

/** Parses a byte count such as `262144`, `256KiB`, `1MiB` or `1.5GB`. Throws a usage error naming the option. */
export function parseBytes(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new TandemError('CLI_USAGE', `${option}: "${text}" is not a size (examples: 262144, 256KiB, 4MiB)`, 'input');
  const value = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(value)) throw new TandemError('CLI_USAGE', `${option}: "${text}" is too large`, 'input');
  return value;
}

/** Formats bytes for people: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}
