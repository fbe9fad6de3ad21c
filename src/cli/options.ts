import { TandemError } from '../util/errors.js';

/** Commander option parser for a repeatable flag (`-t A -t B`): collects every value in order. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole-number flag within [min, max], or undefined when the flag was not given. */
export function wholeNumberFlag(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new TandemError('CLI_USAGE', `${name}: expected a whole number from ${min} to ${max}, got "${value}"`, 'input');
  return n;
}
