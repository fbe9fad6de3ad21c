/**
 * Folder listings in the forms clients parse: `ls -l` lines for LIST (RFC 959 leaves the form open; clients such
 * as wget and FileZilla parse the Unix one), bare names for NLST (RFC 959 §4.1.3), and machine-readable fact lines
 * for MLSD/MLST (RFC 3659 §7). Pure formatting and parsing: the stats come from the caller.
 */
import type { Stats } from 'node:fs';

export interface ListedEntry {
  name: string;
  stats: Stats;
}

/** The MLST facts offered (RFC 3659 §7.5), in FEAT order; `OPTS MLST` picks a subset. */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm', 'unix.mode'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HALF_YEAR_MS = 182 * 24 * 3600 * 1000;
const two = (n: number): string => String(n).padStart(2, '0');

function modeString(s: Stats): string {
  const type = s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i++) out += s.mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

/** One `ls -l` line: `-rw-r--r-- 1 ftp ftp 1234 Dec  3 17:40 name` (year instead of time when older than 6 months). */
export function lsLine(e: ListedEntry, nowMs: number): string {
  const d = new Date(e.stats.mtimeMs);
  const recent = Math.abs(nowMs - e.stats.mtimeMs) < HALF_YEAR_MS;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${recent ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`}`;
  const size = e.stats.isDirectory() ? 4096 : e.stats.size;
  return `${modeString(e.stats)} 1 ftp      ftp      ${String(size).padStart(12)} ${when} ${e.name}`;
}

/** RFC 3659 §2.3: `YYYYMMDDHHMMSS` in UTC (MDTM and the modify fact). */
export function timeVal(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
}

/**
 * RFC 3659 §7.5.5 perm: a file `r` (and `adfw` when the session may write), a folder `el` (and `cdfmp`). `type`
 * is `cdir`/`pdir` for the listed folder itself and its parent (§7.5.1), when the caller passes one.
 */
export function mlsxLine(e: ListedEntry, facts: readonly MlstFact[], writable: boolean, typeOverride?: 'cdir' | 'pdir'): string {
  const dir = e.stats.isDirectory();
  const parts: string[] = [];
  for (const f of facts) {
    if (f === 'type') parts.push(`type=${typeOverride ?? (dir ? 'dir' : 'file')}`);
    else if (f === 'size' && !dir) parts.push(`size=${e.stats.size}`);
    else if (f === 'modify') parts.push(`modify=${timeVal(e.stats.mtimeMs)}`);
    else if (f === 'perm') parts.push(`perm=${dir ? (writable ? 'cdeflmp' : 'el') : writable ? 'adfrw' : 'r'}`);
    else if (f === 'unix.mode') parts.push(`unix.mode=0${(e.stats.mode & 0o777).toString(8)}`);
  }
  return `${parts.map((p) => p + ';').join('')} ${e.name}`;
}

/** `OPTS MLST type;size;` (RFC 3659 §7.9): the known facts named, in our order; unknown ones are ignored. */
export function selectFacts(arg: string): MlstFact[] {
  const asked = new Set(arg.toLowerCase().split(';').filter(Boolean));
  return MLST_FACTS.filter((f) => asked.has(f));
}

/** The FEAT line for MLST: each offered fact, with `*` after those in use (RFC 3659 §7.8). */
export function mlstFeature(inUse: readonly MlstFact[]): string {
  return 'MLST ' + MLST_FACTS.map((f) => `${f}${inUse.includes(f) ? '*' : ''};`).join('');
}

export type RemoteEntry = { name: string; type: 'file' | 'dir' | 'other'; size?: number };

/** One MLSD line (RFC 3659 §7.2: `fact=value;... name`), as the client reads it. */
export function parseMlsxLine(line: string): RemoteEntry | undefined {
  const space = line.indexOf(' ');
  if (space < 0) return undefined;
  const name = line.slice(space + 1);
  const facts = new Map<string, string>();
  for (const f of line.slice(0, space).split(';')) {
    const eq = f.indexOf('=');
    if (eq > 0) facts.set(f.slice(0, eq).toLowerCase(), f.slice(eq + 1));
  }
  const t = (facts.get('type') ?? '').toLowerCase();
  if (t === 'cdir' || t === 'pdir') return undefined;
  const size = facts.has('size') ? Number(facts.get('size')) : undefined;
  return { name, type: t === 'file' ? 'file' : t === 'dir' ? 'dir' : 'other', size: Number.isSafeInteger(size) ? size : undefined };
}

/** One `ls -l` line as servers send it (nine fields, the name last and free to hold spaces); undefined otherwise. */
export function parseLsLine(line: string): RemoteEntry | undefined {
  const m = /^([-dlbcps])[-rwxsStT]{9}[+@.]?\s+\d+\s+\S+\s+\S+\s+(\d+)\s+\w{3}\s+\d{1,2}\s+(?:\d{1,2}:\d{2}|\d{4})\s(.+)$/.exec(line);
  if (!m) return undefined;
  const type = m[1] === 'd' ? 'dir' : m[1] === '-' ? 'file' : 'other';
  const name = type === 'other' ? m[3]!.replace(/ -> .*$/, '') : m[3]!;
  return { name, type, size: Number(m[2]) };
}
