import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createTorrent, type Metainfo, type TorrentVersion } from '../../src/metainfo/index.js';

/**
 * The multi-file fixture the issue asks for: nested folders, an empty file, sizes that are not multiples of the
 * piece length. Sizes in bytes; `scale` multiplies them for heavier tests.
 */
export const FIXTURE_FILES: [path: string, bytes: number][] = [
  ['a.bin', 40_000],
  ['sub/deep/b.bin', 70_001],
  ['sub/empty.txt', 0],
  ['z.bin', 12_345],
];

export async function makeTree(dir: string, name = 'content', scale = 1): Promise<string> {
  const root = join(dir, name);
  for (const [path, bytes] of FIXTURE_FILES) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), randomBytes(bytes * scale));
  }
  return root;
}

export async function makeTorrent(path: string, version: TorrentVersion = 'v1', pieceLengthBytes = 16 * 1024): Promise<{ bytes: Buffer; meta: Metainfo }> {
  const { bytes, metainfo } = await createTorrent(path, { version, pieceLengthBytes, creationDate: null, workers: 1 });
  return { bytes, meta: metainfo };
}

/** sha256 of every regular file under `dir`, keyed by relative path (empty files included). */
export async function treeHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== '.tandem') await walk(p);
      } else if (e.isFile()) out.set(relative(dir, p), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  if ((await stat(dir)).isFile()) out.set('', createHash('sha256').update(await readFile(dir)).digest('hex'));
  else await walk(dir);
  return out;
}
