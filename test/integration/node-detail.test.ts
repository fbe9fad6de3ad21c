// What the web UI's details panel and session dialog read from the node, on a real swarm over loopback: pieces
// under way and available from a peer, the trackers' last and next announce, the bytes of each web seed, the
// hashing progress of a torrent being created, and alternative speeds kept in SQLite and applied to the limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Node, type NodeEvents, type TorrentDetail } from '../../src/node/index.js';
import { TrackerServer } from '../../src/tracker/index.js';
import { Bitfield } from '../../src/wire/index.js';
import { until } from '../helpers/daemon.js';
import { makeTorrent, makeTree, startTorrent } from '../helpers/peer-fixtures.js';
import { startTandemServe } from '../helpers/webseed-servers.js';
import { tempDir } from '../helpers/tmp.js';

type After = { after: (fn: () => Promise<void> | void) => void };

async function openNode(t: After, stateDir: string): Promise<Node> {
  const node = await Node.open({ stateDir, settings: { peerPort: 0, dht: false, lsd: false }, listenHosts: ['127.0.0.1'] });
  t.after(() => node.stop());
  await node.start();
  return node;
}

function setBits(b64: string, count: number): number {
  if (!b64) return 0;
  const f = new Bitfield(count, Buffer.from(b64, 'base64'));
  let n = 0;
  for (let i = 0; i < count; i++) if (f.has(i)) n++;
  return n;
}

test('details of a running torrent: pieces under way and available from the seed, the tracker’s next announce', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 20);
  const { meta, bytes } = await makeTorrent(src, 'v1', 16 * 1024);
  const tracker = new TrackerServer({ http: { host: '127.0.0.1', port: 0 } });
  const announce = `http://127.0.0.1:${(await tracker.start()).http!.port}/announce`;
  t.after(() => tracker.stop());
  // A slow seed (about 10 s for the whole), so the details are read while pieces are under way.
  const seed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 256 * 1024 });
  const node = await openNode(t, join(dir, 'state'));
  const withTracker = Buffer.concat([Buffer.from(`d8:announce${announce.length}:${announce}`), bytes.subarray(1)]);
  const { torrent } = await node.torrents.add({ metainfo: withTracker, savePath: join(dir, 'dl'), peers: [`127.0.0.1:${seed.listenPort}`] });

  const during = await until('pieces under way and others available from the seed', async () => {
    const d = node.torrents.get(torrent.id) as TorrentDetail;
    return setBits(d.piecesDownloading, d.pieceCount) > 0 && setBits(d.piecesAvailable, d.pieceCount) > 0 && d.trackers[0]?.lastAnnounceAt ? d : undefined;
  }, 20_000, 50);
  const have = setBits(during.piecesBitfield, during.pieceCount);
  const downloading = setBits(during.piecesDownloading, during.pieceCount);
  const available = setBits(during.piecesAvailable, during.pieceCount);
  assert.ok(have + downloading + available <= during.pieceCount, 'the states never overlap');
  assert.ok(available > during.pieceCount / 4, `the seed has every piece we lack: ${available} of ${during.pieceCount} available`);
  const [tr] = during.trackers;
  assert.equal(tr!.url, announce);
  assert.equal(tr!.lastResult, 'Success');
  assert.ok(tr!.nextAnnounceAt > Date.now() + 60_000, `the next announce waits the tracker's interval: ${tr!.nextAnnounceAt - Date.now()} ms`);
  assert.equal(tr!.announcing, false);
  assert.ok(tr!.seeders >= 0 && tr!.leechers >= 1, JSON.stringify(tr));

  await until('done', async () => (node.torrents.get(torrent.id).status === 'seeding' ? true : undefined), 60_000);
  const after = node.torrents.get(torrent.id);
  assert.equal(setBits(after.piecesBitfield, after.pieceCount), after.pieceCount);
  assert.equal(setBits(after.piecesDownloading, after.pieceCount) + setBits(after.piecesAvailable, after.pieceCount), 0);
  await node.torrents.pause([torrent.id]);
  const paused = node.torrents.get(torrent.id);
  assert.deepEqual([paused.piecesDownloading, paused.piecesAvailable, paused.trackers[0]?.nextAnnounceAt], ['', '', 0], 'a stopped torrent has nothing under way or due');
});

test('details: each web seed with the bytes it sent, kept across a restart', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(join(dir, 'served'), 'content', 4);
  const base = await startTandemServe(t, join(dir, 'served'));
  const { bytes } = await makeTorrent(src, 'v1', 16 * 1024);
  // The same torrent with a url-list: a web seed (BEP 19) and nothing else.
  const urlList = `${base}`;
  const withSeed = Buffer.concat([bytes.subarray(0, -1), Buffer.from(`8:url-list${urlList.length}:${urlList}e`)]);
  const node = await openNode(t, join(dir, 'state'));
  const { torrent } = await node.torrents.add({ metainfo: withSeed, savePath: join(dir, 'dl') });
  const done = await until('done from the web seed', async () => {
    const d = node.torrents.get(torrent.id);
    return d.status === 'seeding' ? d : undefined;
  }, 30_000);
  assert.deepEqual(done.webSeeds, [urlList]);
  assert.equal(done.webSeedStats.length, 1);
  assert.equal(done.webSeedStats[0]!.url, urlList);
  assert.equal(done.webSeedStats[0]!.bytes, done.totalBytes, 'every byte came from the one web seed');
  assert.equal(done.webSeedBytes, done.totalBytes);
  await node.stop();

  // Kept in the database: after a restart the web seed still shows what it sent over the torrent's life.
  const again = await openNode(t, join(dir, 'state'));
  const kept = await until('seeding again', async () => {
    const d = again.torrents.get(torrent.id);
    return d.status === 'seeding' ? d : undefined;
  }, 30_000);
  assert.equal(kept.webSeedStats[0]!.bytes, done.totalBytes, 'the web seed\'s bytes survive a restart');
  assert.equal(kept.webSeedBytes, done.totalBytes);
});

test('create: hashing progress as create:progress events, up to every byte', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'made', 60);
  const node = await openNode(t, join(dir, 'state'));
  const seen: NodeEvents['create:progress'][] = [];
  node.on('create:progress', (p) => seen.push(p));
  const created = await node.torrents.create({ path: src, job: 'mine', pieceLengthBytes: 16 * 1024 });
  assert.ok(created.bytes.length > 0);
  assert.ok(seen.length >= 1, 'at least the last');
  const last = seen.at(-1)!;
  assert.deepEqual([last.job, last.path, last.hashedBytes], ['mine', src, last.totalBytes]);
  assert.ok(last.totalBytes > 7_000_000, String(last.totalBytes));
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.hashedBytes >= seen[i - 1]!.hashedBytes, 'never backwards');
});

test('alternative speeds: replace the global limits while on, kept across a restart', async (t) => {
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  const first = await openNode(t, state);
  first.setSettings({ downloadLimitBytesPerSec: 1_000_000, uploadLimitBytesPerSec: 500_000 });
  assert.deepEqual([first.downloadLimit.rateBytesPerSec, first.uploadLimit.rateBytesPerSec], [1_000_000, 500_000]);
  const changed = new Promise<NodeEvents['session:changed']>((resolve) => first.once('session:changed', resolve));
  first.setSettings({ altSpeedEnabled: true, altSpeedDownBytesPerSec: 40_000, altSpeedUpBytesPerSec: 10_000 });
  assert.equal((await changed).settings.altSpeedEnabled, true, 'the event stream says so');
  assert.deepEqual([first.downloadLimit.rateBytesPerSec, first.uploadLimit.rateBytesPerSec], [40_000, 10_000]);
  await first.stop();

  const second = await openNode(t, state);
  assert.equal(second.getSettings().altSpeedEnabled, true);
  assert.deepEqual([second.downloadLimit.rateBytesPerSec, second.uploadLimit.rateBytesPerSec], [40_000, 10_000], 'applied at start');
  second.setSettings({ altSpeedEnabled: false });
  assert.deepEqual([second.downloadLimit.rateBytesPerSec, second.uploadLimit.rateBytesPerSec], [1_000_000, 500_000], 'the normal pair is back');
});
