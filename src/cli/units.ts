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

export { formatBytes } from '../util/format.js';
