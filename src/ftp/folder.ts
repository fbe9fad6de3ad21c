/** Reading a folder for a listing: its entries with their stats, symlinks followed only when they stay inside. */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { isInside } from '../http/safe-path.js';
import { lsLine, mlsxLine, type ListedEntry, type MlstFact } from './listing.js';
import { UPLOAD_TEMP_PREFIX } from './paths.js';

export type ListKind = 'LIST' | 'NLST' | 'MLSD';

/** Entries of a folder (at most `max`), sorted by name; links out of the root and vanished names are left out. */
export function listFolder(realRoot: string, dirReal: string, max: number): ListedEntry[] {
  let names: string[];
  try {
    names = readdirSync(dirReal);
  } catch {
    return [];
  }
  names.sort();
  const out: ListedEntry[] = [];
  for (const name of names) {
    if (out.length >= max) break;
    if (name.startsWith(UPLOAD_TEMP_PREFIX)) continue;
    const stats = statInside(realRoot, dirReal + sep + name);
    if (stats) out.push({ name, stats });
  }
  return out;
}

function statInside(realRoot: string, path: string): Stats | undefined {
  try {
    const st = lstatSync(path);
    if (!st.isSymbolicLink()) return st;
    return isInside(realRoot, realpathSync.native(path)) ? statSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of a listing: CRLF-ended lines (RFC 959 §3.1.1.1: listings travel as ASCII lines). */
export function listingBody(kind: ListKind, entries: readonly ListedEntry[], facts: readonly MlstFact[], writable: boolean, nowMs: number): string {
  const line = kind === 'LIST' ? (e: ListedEntry) => lsLine(e, nowMs) : kind === 'NLST' ? (e: ListedEntry) => e.name : (e: ListedEntry) => mlsxLine(e, facts, writable);
  return entries.map((e) => line(e) + '\r\n').join('');
}
