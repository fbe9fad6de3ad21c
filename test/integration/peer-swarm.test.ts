import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { makeTorrent, makeTree, startLyingSeed, startTorrent, treeHashes, whenDone } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import type { Torrent } from '../../src/swarm/index.js';

for (const version of ['v1', 'hybrid'] as const) {
  test(`tandem to tandem (${version}, multi-file with nested folders, an empty file and odd sizes): files identical by sha256`, async (t) => {
    const dir = await tempDir(t);
    const src = await makeTree(dir, 'content', 7);
    const { meta } = await makeTorrent(src, version);
    const seed = await startTorrent(t, { metainfo: meta, dir });
    await whenDone(seed);
    const out = join(dir, 'out');
    const leech = await startTorrent(t, { metainfo: meta, dir: out, peers: [{ host: '127.0.0.1', port: seed.listenPort }] });
    let verified = 0;
    leech.on('piece:verified', () => verified++);
    await whenDone(leech);
    assert.equal(verified, meta.pieceCount);
    assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
    assert.equal((await stat(join(out, 'content', 'sub', 'empty.txt'))).size, 0);
    assert.equal(leech.stats().verifiedBytes, meta.totalLengthBytes);
  });
}

test('magnet over IPv6 loopback: metadata fetched from the seed (BEP 9), verified against the info hash, then the download', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'out');
  const leech = await startTorrent(t, { infoHash: meta.infoHashV1, dir: out, peers: [{ host: '::1', port: seed.listenPort }] });
  const gotMeta = new Promise<string>((resolve) => leech.once('metadata', (m) => resolve(m.name)));
  await whenDone(leech);
  assert.equal(await gotMeta, 'content');
  assert.deepEqual(leech.meta?.infoBytes, meta.infoBytes);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('one seed, five tandem leechers: all complete; leechers trade pieces among themselves (PEX finds them)', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 12);
  const { meta } = await makeTorrent(src);
  // The seed's upload is capped so leechers must get much of the data from each other.
  const seed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 1024 * 1024, config: { pexIntervalMs: 300 } });
  const leechers: Torrent[] = [];
  for (let i = 0; i < 5; i++) {
    const peers = [{ host: '127.0.0.1', port: seed.listenPort }, ...leechers.slice(0, 1).map((l) => ({ host: '127.0.0.1', port: l.listenPort }))];
    leechers.push(await startTorrent(t, { metainfo: meta, dir: join(dir, `l${i}`), peers, config: { pexIntervalMs: 300 } }));
  }
  await Promise.all(leechers.map((l) => whenDone(l, 60_000)));
  const want = await treeHashes(src);
  for (let i = 0; i < 5; i++) assert.deepEqual(await treeHashes(join(dir, `l${i}`, 'content')), want, `leecher ${i}`);
  const fromLeechers = leechers.reduce((s, l) => s + l.stats().uploadedBytes, 0);
  assert.ok(fromLeechers > meta.totalLengthBytes, `leechers uploaded only ${fromLeechers} bytes to each other`);
});

test('a lying peer that sends corrupt blocks is banned; the download completes from the honest seed', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 4);
  const { meta } = await makeTorrent(src);
  const liar = await startLyingSeed(t, meta);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'out');
  const leech = await startTorrent(t, { metainfo: meta, dir: out, peers: [{ host: '127.0.0.1', port: liar.port }] });
  const banned: string[] = [];
  let failed = 0;
  leech.on('peer:banned', (b) => banned.push(b.key));
  leech.on('piece:failed', () => failed++);
  // The liar alone first, so it certainly serves pieces; the honest seed joins once the liar is banned.
  await new Promise<void>((resolve) => leech.once('peer:banned', () => resolve()));
  leech.addPeers([{ host: '127.0.0.1', port: seed.listenPort }]);
  await whenDone(leech);
  assert.deepEqual(banned, [`127.0.0.1:${liar.port}`]);
  assert.ok(failed >= 3, `${failed} pieces failed their hash`);
  assert.ok(liar.blocksSent() > 0);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  // Banned for the session: offered again, it is not dialled.
  const before = liar.connections();
  leech.addPeers([{ host: '127.0.0.1', port: liar.port }]);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(liar.connections(), before);
});

test('a peer that takes requests and never answers does not stall the download: its blocks are asked of another peer', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir);
  const { meta } = await makeTorrent(src);
  const silent = await startLyingSeed(t, meta, 'silent');
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'out');
  const leech = await startTorrent(t, { metainfo: meta, dir: out, peers: [{ host: '127.0.0.1', port: silent.port }] });
  await new Promise<void>((resolve) => leech.once('peer:connect', () => resolve()));
  // Give the silent peer time to be asked for everything before the honest seed appears.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(leech.stats().piecesHave, 0);
  leech.addPeers([{ host: '127.0.0.1', port: seed.listenPort }]);
  await whenDone(leech);
  assert.equal(silent.blocksSent(), 0);
  assert.ok(silent.requestsSeen() > 0, 'the silent peer was asked for blocks');
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('a seed that dies mid-download while a second seed lives: the download completes', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 16);
  const { meta } = await makeTorrent(src);
  const doomed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 256 * 1024 });
  const out = join(dir, 'out');
  const leech = await startTorrent(t, { metainfo: meta, dir: out, peers: [{ host: '127.0.0.1', port: doomed.listenPort }] });
  await new Promise<void>((resolve) => leech.once('piece:verified', () => resolve()));
  const survivor = await startTorrent(t, { metainfo: meta, dir });
  await doomed.stop();
  assert.ok(!leech.isDone, 'the first seed died before the download finished');
  leech.addPeers([{ host: '127.0.0.1', port: survivor.listenPort }]);
  await whenDone(leech);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('--only: selected files are downloaded whole; files outside wanted pieces are never created', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 3);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'out');
  const zIndex = meta.files.findIndex((f) => f.path.join('/') === 'z.bin');
  const aIndex = meta.files.findIndex((f) => f.path.join('/') === 'a.bin');
  const leech = await startTorrent(t, { metainfo: meta, dir: out, onlyFiles: [aIndex], peers: [{ host: '127.0.0.1', port: seed.listenPort }] });
  await whenDone(leech);
  const got = await treeHashes(join(out, 'content'));
  assert.equal(got.get('a.bin'), (await treeHashes(src)).get('a.bin'));
  assert.equal(got.has(join('z.bin')), false);
  assert.ok(leech.stats().piecesHave < meta.pieceCount);
  void zIndex;
});
