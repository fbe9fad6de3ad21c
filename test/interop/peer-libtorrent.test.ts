import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTorrent, makeTree, startTorrent, treeHashes, whenDone } from '../helpers/peer-fixtures.js';
import { run, startProcess, tandem, waitForLine } from '../helpers/processes.js';
import { DEBIAN_PYTHON, requireLibtorrent } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import { magnetFromMetainfo } from '../../src/metainfo/index.js';
import type { TestContext } from 'node:test';

const LT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/lt_peer.py', import.meta.url));

/** Starts a libtorrent seed (killed at test end) and returns its port. */
async function ltSeed(t: TestContext, source: string, saveDir: string): Promise<number> {
  const child = startProcess(t, DEBIAN_PYTHON, [LT_PEER, 'seed', source, saveDir, '--timeout', '120']);
  const [line] = await waitForLine(child, /^\{"event": "listening".*\}$/);
  await waitForLine(child, /"event": "done"/);
  return (JSON.parse(line) as { port: number }).port;
}

for (const version of ['v1', 'hybrid'] as const) {
  test(`libtorrent seed -> tandem leecher (${version} .torrent, multi-file): sha256 identical`, async (t) => {
    requireLibtorrent();
    const dir = await tempDir(t);
    const src = await makeTree(dir, 'content', 20);
    const { bytes } = await makeTorrent(src, version, 32 * 1024);
    const file = join(dir, 'c.torrent');
    await writeFile(file, bytes);
    const port = await ltSeed(t, file, dir);
    const out = join(dir, 'out');
    const r = await tandem(['get', file, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  });
}

test('tandem seed -> libtorrent leecher (.torrent): sha256 identical', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 20);
  const { bytes, meta } = await makeTorrent(src, 'v1', 32 * 1024);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'lt');
  const r = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', file, out, '--peer', `127.0.0.1:${seed.listenPort}`, '--timeout', '60'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  assert.ok(seed.stats().uploadedBytes >= meta.totalLengthBytes);
});

test('magnet: tandem fetches the metadata from a libtorrent seed (BEP 9), then the files', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 10);
  const { bytes, meta } = await makeTorrent(src, 'v1', 16 * 1024);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  const port = await ltSeed(t, file, dir);
  const out = join(dir, 'out');
  const r = await tandem(['get', magnetFromMetainfo(meta), '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"event":"metadata","name":"content"/);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('magnet: libtorrent fetches the metadata from a tandem seed (BEP 9), then the files', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 10);
  const { meta } = await makeTorrent(src, 'v1', 16 * 1024);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'lt');
  const r = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', magnetFromMetainfo(meta), out, '--peer', `127.0.0.1:${seed.listenPort}`, '--timeout', '60'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('mixed swarm: a tandem seed, a libtorrent leecher and a tandem leecher that meet only through each other all complete', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 20);
  const { bytes, meta } = await makeTorrent(src, 'v1', 16 * 1024);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  // The seed is slow, so the two leechers must trade with each other to finish in time.
  const seed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 1024 * 1024 });
  const tandemLeech = await startTorrent(t, { metainfo: meta, dir: join(dir, 'td'), peers: [{ host: '127.0.0.1', port: seed.listenPort }] });
  const lt = run(DEBIAN_PYTHON, [LT_PEER, 'leech', file, join(dir, 'lt'), '--peer', `127.0.0.1:${seed.listenPort}`, '--peer', `127.0.0.1:${tandemLeech.listenPort}`, '--timeout', '60'], { timeoutMs: 70_000 });
  const [r] = await Promise.all([lt, whenDone(tandemLeech, 60_000)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const want = await treeHashes(src);
  assert.deepEqual(await treeHashes(join(dir, 'td', 'content')), want);
  assert.deepEqual(await treeHashes(join(dir, 'lt', 'content')), want);
  assert.ok(tandemLeech.stats().uploadedBytes > 0, 'the tandem leecher uploaded to libtorrent');
});
