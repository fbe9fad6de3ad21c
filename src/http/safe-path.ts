/**
 * Turning a name from the network into a file inside a root, never outside it (DESIGN.md §8). The pure part
 * splits and checks segments; `resolveInside` then follows symlinks with realpath and checks containment.
 */
import { constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { sep } from 'node:path';

/**
 * How a file found here is opened to be served. Its real path was resolved inside the root a moment before, with no
 * symlink left in it; O_NOFOLLOW refuses a last component swapped for a symlink since then (ELOOP), and O_NONBLOCK
 * keeps an open of something swapped for a FIFO from hanging a pool thread.
 */
export const SERVED_FILE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type PathVerdict = { ok: true; segments: string[]; trailingSlash: boolean } | { ok: false; reason: 'bad-request' | 'forbidden' };

const MAX_PATH_CHARS = 4096;
const MAX_SEGMENT_BYTES = 255;

/**
 * Checks already-decoded path segments. Refused: `.` and `..`, NUL and other control bytes, backslashes (a
 * Windows separator a careless join could honour), and over-long names. Empty segments (`a//b`) are dropped.
 */
export function checkSegments(rawSegments: string[]): PathVerdict {
  const segments: string[] = [];
  for (const s of rawSegments) {
    if (s === '') continue;
    if (s === '.' || s === '..') return { ok: false, reason: 'forbidden' };
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\\]/.test(s)) return { ok: false, reason: 'forbidden' };
    if (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) return { ok: false, reason: 'forbidden' };
    segments.push(s);
  }
  return { ok: true, segments, trailingSlash: false };
}

/**
 * Decodes the path of an HTTP request target (RFC 9112 §3.2: origin-form, or absolute-form) exactly once. A
 * double-encoded dot (`%252e`) stays the literal text `%2e` after one decoding, so it names a file called
 * `%2e`, never the parent folder.
 */
export function urlPathSegments(target: string): PathVerdict {
  if (target.length > MAX_PATH_CHARS) return { ok: false, reason: 'bad-request' };
  let path = target;
  if (/^https?:\/\//i.test(path)) {
    const slash = path.indexOf('/', path.indexOf('//') + 2);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  const q = path.search(/[?#]/);
  if (q >= 0) path = path.slice(0, q);
  if (!path.startsWith('/')) return { ok: false, reason: 'bad-request' };
  let decoded: string[];
  try {
    // Split before decoding so an encoded slash (%2F) stays inside one segment, then refuse it there.
    decoded = path.split('/').map((s) => (s.includes('%') ? decodeURIComponent(s) : s));
  } catch {
    return { ok: false, reason: 'bad-request' };
  }
  if (decoded.some((s) => s.includes('/'))) return { ok: false, reason: 'forbidden' };
  const verdict = checkSegments(decoded);
  if (verdict.ok) verdict.trailingSlash = path.endsWith('/');
  return verdict;
}

/** Splits a TFTP file name (RFC 1350: a netascii string; clients send `a/b` or `/a/b`) into checked segments. */
export function tftpPathSegments(name: string): PathVerdict {
  if (name.length > MAX_PATH_CHARS) return { ok: false, reason: 'bad-request' };
  return checkSegments(name.split('/'));
}

/** True when `candidate` (a realpath) is the root or inside it. */
export function isInside(realRoot: string, candidate: string): boolean {
  if (candidate === realRoot) return true;
  const prefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  return candidate.startsWith(prefix);
}

export type Resolved = { kind: 'found'; realPath: string } | { kind: 'missing' } | { kind: 'forbidden' };

/**
 * Follows every symlink of `root/segments...` and answers whether the result stays inside the root. A link that
 * points outside is `forbidden`; a path that does not exist is `missing`.
 */
export async function resolveInside(realRoot: string, segments: string[]): Promise<Resolved> {
  const joined = segments.length === 0 ? realRoot : realRoot + sep + segments.join(sep);
  let real: string;
  try {
    // One realpath(3) call, made synchronously: on a local disk it takes microseconds, far less than a round
    // trip through libuv's thread pool, and it is what decides whether the request may be served at all.
    real = realpathSync.native(joined);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'ELOOP' ? { kind: 'forbidden' } : { kind: 'missing' };
  }
  return isInside(realRoot, real) ? { kind: 'found', realPath: real } : { kind: 'forbidden' };
}

export type Looked = { kind: 'found'; realPath: string; stats: Stats } | { kind: 'missing' } | { kind: 'forbidden' };

/**
 * `resolveInside` and a stat of the result, in as few system calls as the path allows. `realRoot` has no symlinks
 * (it went through realpath at start), and checked segments hold no `.` or `..`, so when no component below the
 * root is a symlink the joined path is already the real path: one lstat per segment proves it and gives the file's
 * stats. realpath(3) would instead readlink every component from `/`, and a stat would follow. A symlink anywhere
 * falls back to realpath and its containment check. Nothing is remembered between calls: a file or link changed
 * a moment ago is seen as it is now.
 */
export function lookupInside(realRoot: string, segments: string[]): Looked {
  let path = realRoot;
  let st: Stats | undefined;
  try {
    for (const s of segments) {
      path = path + sep + s;
      st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) return { kind: 'missing' };
      if (st.isSymbolicLink()) return lookupThroughLinks(realRoot, segments);
    }
    return { kind: 'found', realPath: path, stats: st ?? statSync(realRoot) };
  } catch (err) {
    return failedLookup(err);
  }
}

function lookupThroughLinks(realRoot: string, segments: string[]): Looked {
  let real: string;
  try {
    real = realpathSync.native(realRoot + sep + segments.join(sep));
    if (!isInside(realRoot, real)) return { kind: 'forbidden' };
    return { kind: 'found', realPath: real, stats: statSync(real) };
  } catch (err) {
    return failedLookup(err);
  }
}

function failedLookup(err: unknown): Looked {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'ELOOP' ? { kind: 'forbidden' } : { kind: 'missing' };
}
