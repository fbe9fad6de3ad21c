/**
 * FTP path names (RFC 959 §3.4: relative to the working directory, or absolute from the server's root) turned into
 * checked segments inside the served folder. `..` is resolved against the virtual working directory first, and a
 * step above the root is refused, never clamped; what remains goes through the HTTP server's segment rules
 * (src/http/safe-path.ts: no control bytes, no backslash, no over-long names), and lookups follow symlinks only
 * inside the root. Replies show only virtual paths (`/docs/a.txt`), never where the folder is on disk.
 */
import { lstatSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { checkSegments, lookupInside, type Looked } from '../http/safe-path.js';

const MAX_PATH_CHARS = 4096;

/** Segments of `arg` seen from `cwd`, or undefined when the name leaves the root or breaks a segment rule. */
export function resolveFtpPath(cwd: readonly string[], arg: string): string[] | undefined {
  if (arg.length > MAX_PATH_CHARS) return undefined;
  const out = arg.startsWith('/') ? [] : [...cwd];
  for (const part of arg.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  const verdict = checkSegments(out);
  return verdict.ok && verdict.segments.length === out.length ? verdict.segments : undefined;
}

/** The virtual path shown to the client: `/` and segments. */
export function displayPath(segments: readonly string[]): string {
  return '/' + segments.join('/');
}

/** RFC 959 Appendix II: a quote inside the quoted path of a 257 reply is doubled. */
export function quotePath(path: string): string {
  return `"${path.replace(/"/g, '""')}"`;
}

/** Temporary upload files start so; listings hide them and uploads may not use such a name. */
export const UPLOAD_TEMP_PREFIX = '.tandem-upload-';

/** Looks up an existing file or folder, following symlinks that stay inside the root. */
export function lookup(realRoot: string, segments: readonly string[]): Looked {
  return lookupInside(realRoot, [...segments]);
}

export type Entry =
  | { kind: 'ok'; parentReal: string; name: string; path: string; stats: Stats | undefined }
  | { kind: 'missing-parent' }
  | { kind: 'forbidden' };

/**
 * The directory entry itself, not what a symlink there points to: for DELE, RMD, RNFR/RNTO, MKD and STOR. The
 * parent must be a folder inside the root; the name is the last segment, `lstat`ed (undefined when absent), so
 * deleting or replacing a link touches the link only.
 */
export function entry(realRoot: string, segments: readonly string[]): Entry {
  const name = segments.at(-1);
  if (name === undefined || name.startsWith(UPLOAD_TEMP_PREFIX)) return { kind: 'forbidden' };
  const parent = lookupInside(realRoot, segments.slice(0, -1));
  if (parent.kind === 'forbidden') return { kind: 'forbidden' };
  if (parent.kind === 'missing' || !parent.stats.isDirectory()) return { kind: 'missing-parent' };
  const path = parent.realPath + sep + name;
  let stats: Stats | undefined;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return { kind: 'forbidden' };
  }
  return { kind: 'ok', parentReal: parent.realPath, name, path, stats };
}
