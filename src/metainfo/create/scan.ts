import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MetainfoError } from '../errors.js';

/** A file found under the path given to `create`. */
export interface ScannedFile {
  absolutePath: string;
  /** Components below the torrent's root folder; for a single file, just its name. */
  path: string[];
  length: number;
}

export interface ScanResult {
  name: string;
  isDirectory: boolean;
  files: ScannedFile[];
}

const MAX_SCANNED_FILES = 1_000_000;

/**
 * Lists the regular files under `root`. Symlinks are followed when they resolve inside `root` and skipped when they
 * point outside it or loop, so a torrent never carries a file from elsewhere by accident.
 */
export async function scanPath(root: string): Promise<ScanResult> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    throw new MetainfoError('CREATE_INPUT', `cannot read ${root}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'input', { cause: err });
  }
  const name = basename(root.replace(/[/\\]+$/, '')) || 'root';
  if (info.isFile()) return { name, isDirectory: false, files: [{ absolutePath: root, path: [name], length: info.size }] };
  if (!info.isDirectory()) throw new MetainfoError('CREATE_INPUT', `${root} is neither a file nor a folder`);
  const realRoot = await realpath(root);
  const files: ScannedFile[] = [];
  await walk(root, [], realRoot, new Set([realRoot]), files);
  if (files.length === 0) throw new MetainfoError('CREATE_INPUT', `${root} holds no files`);
  return { name, isDirectory: true, files };
}

async function walk(dir: string, prefix: string[], realRoot: string, seen: Set<string>, out: ScannedFile[]): Promise<void> {
  for (const entry of (await readdir(dir)).sort()) {
    const full = join(dir, entry);
    const link = await lstat(full);
    let target = link;
    if (link.isSymbolicLink()) {
      const real = await realpath(full).catch(() => undefined);
      if (!real || !(real === realRoot || real.startsWith(realRoot + '/')) || seen.has(real)) continue;
      target = await stat(full);
      if (target.isDirectory()) seen.add(real);
    }
    if (target.isDirectory()) await walk(full, [...prefix, entry], realRoot, seen, out);
    else if (target.isFile()) {
      out.push({ absolutePath: full, path: [...prefix, entry], length: target.size });
      if (out.length > MAX_SCANNED_FILES) throw new MetainfoError('CREATE_INPUT', `more than ${MAX_SCANNED_FILES} files under the folder`);
    }
  }
}
