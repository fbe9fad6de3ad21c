import { isBytes, isDict, isInt, isList, type BDict, type BValue, dictKey } from '../bencode/index.js';
import { invalid } from './errors.js';

// Readers for typed fields of a decoded dictionary. Each throws one line that names the field and what is wrong.

export function field(dict: BDict, name: string): BValue | undefined {
  return dict.get(dictKey(name));
}

export function requireDict(dict: BDict, name: string): BDict {
  const v = field(dict, name);
  if (v === undefined) throw invalid(`${name} is missing`);
  if (!isDict(v)) throw invalid(`${name} is not a dictionary`);
  return v;
}

export function requireBytes(dict: BDict, name: string): Buffer {
  const v = field(dict, name);
  if (v === undefined) throw invalid(`${name} is missing`);
  if (!isBytes(v)) throw invalid(`${name} is not a byte string`);
  return v;
}

export function optionalBytes(dict: BDict, name: string): Buffer | undefined {
  const v = field(dict, name);
  if (v === undefined) return undefined;
  if (!isBytes(v)) throw invalid(`${name} is not a byte string`);
  return v;
}

/** Optional UTF-8 text; a field of the wrong type is ignored rather than fatal, as clients do for comments. */
export function optionalText(dict: BDict, name: string): string | undefined {
  const v = field(dict, name);
  return isBytes(v) ? v.toString('utf8') : undefined;
}

/** A non-negative integer no larger than `max` (lengths, counts, sizes). */
export function requireCount(dict: BDict, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const v = field(dict, name);
  if (v === undefined) throw invalid(`${name} is missing`);
  return checkCount(v, name, max);
}

export function checkCount(v: BValue, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!isInt(v)) throw invalid(`${name} is not an integer`);
  if (typeof v === 'bigint' || v > max) throw invalid(`${name} is ${v}, larger than ${max}`);
  if (v < 0) throw invalid(`${name} is ${v}, which is negative`);
  return v;
}

export function optionalInt(dict: BDict, name: string): number | undefined {
  const v = field(dict, name);
  return typeof v === 'number' ? v : undefined;
}

export function requireList(dict: BDict, name: string): BValue[] {
  const v = field(dict, name);
  if (v === undefined) throw invalid(`${name} is missing`);
  if (!isList(v)) throw invalid(`${name} is not a list`);
  return v;
}
