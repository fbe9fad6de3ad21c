import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTorrent, makeTree, startTorrent, treeHashes } from '../helpers/peer-fixtures.js';
import { run, startProcess, tandem, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const WT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/peer-webtorrent.mjs', import.meta.url));
const WT_PACKAGE = fileURLToPath(new URL('../../../.cache/test-npm/node_modules/webtorrent/package.json', import.meta.url));

async function requireWebTorrent(): Promise<void> {
  await access(WT_PACKAGE).catch(() => {
    throw new Error('webtorrent is missing: run scripts/install-test-deps.sh (npm package webtorrent@2, see scripts/test-deps/peer.npm)');
  });
}

async function fixture(t: TestContext): Promise<{ dir: string; src: string; file: string; meta: Awaited<ReturnType<typeof makeTorrent>>['meta'] }> {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 20);
  const { bytes, meta } = await makeTorrent(src, 'v1', 32 * 1024);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  return { dir, src, file, meta };
}

test('WebTorrent seed -> tandem leecher over TCP: sha256 identical', async (t) => {
  await requireWebTorrent();
  const { dir, src, file } = await fixture(t);
  const seed = startProcess(t, process.execPath, [WT_PEER, 'seed', file, dir]);
  const [line] = await waitForLine(seed, /^\{"event":"listening".*\}$/);
  await waitForLine(seed, /"event":"done"/);
  const { port } = JSON.parse(line) as { port: number };
  const out = join(dir, 'out');
  const r = await tandem(['get', file, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('tandem seed -> WebTorrent leecher over TCP: sha256 identical', async (t) => {
  await requireWebTorrent();
  const { dir, src, file, meta } = await fixture(t);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'wt');
  const r = await run(process.execPath, [WT_PEER, 'leech', file, out, `127.0.0.1:${seed.listenPort}`], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  assert.ok(seed.stats().uploadedBytes >= meta.totalLengthBytes);
});
