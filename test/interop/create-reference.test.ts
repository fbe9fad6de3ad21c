// tandem create must give the same info hashes as libtorrent's create_torrent (v1, v2, hybrid) and mktorrent (v1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTorrent, type Metainfo } from '../../src/metainfo/index.js';
import { DEBIAN_PYTHON, requireLibtorrent, requireProgram } from '../helpers/programs.js';
import { run, tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree, patternBytes } from '../helpers/trees.js';

const LT_CREATE = fileURLToPath(new URL('../../../test/interop/helpers/lt_create.py', import.meta.url));

async function tandemCreate(path: string, out: string, args: string[]): Promise<Metainfo> {
  const r = await tandem(['create', path, '-o', out, '-q', '--no-date', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return parseTorrent(await readFile(out));
}

const hashes = (m: Metainfo): string => `v1=${m.infoHashV1?.toString('hex') ?? '-'} v2=${m.infoHashV2?.toString('hex') ?? '-'}`;

async function inputs(root: string): Promise<{ tree: string; single: string; exact: string }> {
  const single = join(root, 'single.bin');
  await writeFile(single, patternBytes(100_000, 3)); // not a multiple of any piece length
  const exact = join(root, 'exact.bin');
  await writeFile(exact, patternBytes(65_536, 4)); // exactly four 16 KiB pieces
  return { tree: await makeSampleTree(root), single, exact };
}

test('info hashes equal libtorrent create_torrent for v1, v2 and hybrid', async (t) => {
  requireLibtorrent();
  const root = await tempDir(t);
  const cases = await inputs(root);
  let compared = 0;
  for (const [label, path] of Object.entries(cases)) {
    for (const version of ['v1', 'v2', 'hybrid'] as const) {
      for (const pieceLength of [16_384, 65_536]) {
        const ltOut = join(root, `${label}-${version}-${pieceLength}.lt.torrent`);
        const r = await run(DEBIAN_PYTHON, [LT_CREATE, path, ltOut, version, String(pieceLength)]);
        assert.equal(r.code, 0, r.stderr);
        const ours = await tandemCreate(path, join(root, `${label}-${version}-${pieceLength}.torrent`), [`--${version}`, '--piece-length', String(pieceLength)]);
        const theirs = parseTorrent(await readFile(ltOut));
        assert.equal(hashes(ours), hashes(theirs), `${label} ${version} piece length ${pieceLength}`);
        compared++;
      }
    }
  }
  assert.equal(compared, 18);
});

test('v1 info hashes equal mktorrent, including private torrents', async (t) => {
  const mktorrent = requireProgram('mktorrent', 'mktorrent');
  const root = await tempDir(t);
  const cases = await inputs(root);
  for (const [label, path] of Object.entries(cases)) {
    for (const [exp, extra] of [[15, []], [16, []], [17, ['-p']]] as [number, string[]][]) {
      const mkOut = join(root, `${label}-${exp}.mk.torrent`);
      const r = await run(mktorrent, ['-l', String(exp), '-a', 'http://127.0.0.1:1/announce', ...extra, '-o', mkOut, path]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const ours = await tandemCreate(path, join(root, `${label}-${exp}.torrent`), ['--piece-length', String(2 ** exp), '-t', 'http://127.0.0.1:1/announce', ...(extra.length ? ['--private'] : [])]);
      const theirs = parseTorrent(await readFile(mkOut));
      assert.equal(hashes(ours), hashes(theirs), `${label} 2^${exp} ${extra.join(' ')}`);
      assert.equal(ours.private, extra.length > 0);
    }
  }
});

test('libtorrent reads what tandem creates, and agrees on the info hashes', async (t) => {
  requireLibtorrent();
  const root = await tempDir(t);
  const { tree } = await inputs(root);
  for (const version of ['v1', 'v2', 'hybrid'] as const) {
    const out = join(root, `read-${version}.torrent`);
    const ours = await tandemCreate(tree, out, [`--${version}`, '--piece-length', '32768', '-w', 'http://127.0.0.1:9/']);
    const script = [
      'import libtorrent as lt, sys',
      'ti = lt.torrent_info(sys.argv[1])',
      'h = ti.info_hashes()',
      'fs = ti.files()',
      'real = [i for i in range(fs.num_files()) if not fs.file_flags(i) & lt.file_storage.flag_pad_file]',
      'print(h.v1.to_bytes().hex() if h.has_v1() else "-", h.v2.to_bytes().hex() if h.has_v2() else "-", len(real), sum(fs.file_size(i) for i in real))',
    ].join('\n');
    const r = await run(DEBIAN_PYTHON, ['-c', script, out]);
    assert.equal(r.code, 0, r.stderr);
    const [v1, v2, files, total] = r.stdout.trim().split(' ');
    assert.equal(v1, ours.infoHashV1?.toString('hex') ?? '-');
    assert.equal(v2, ours.infoHashV2?.toString('hex') ?? '-');
    assert.equal(Number(files), ours.files.filter((f) => !f.pad).length);
    assert.equal(Number(total), ours.contentLengthBytes);
  }
});
