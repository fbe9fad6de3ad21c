import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTorrent } from '../../src/metainfo/index.js';
import { httpAnnounce, UdpTrackerClient } from '../../src/tracker/index.js';
import { startDaemon, until } from '../helpers/daemon.js';
import { makeTorrent, startTorrent, whenDone } from '../helpers/peer-fixtures.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import type { ServerInfo, TorrentDetail } from '../../src/node/index.js';

const MIB = 1024 * 1024;

test('file priorities: the high file completes first and the low one last, while the download is rate-limited', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'three');
  await mkdir(src);
  for (const name of ['a-low', 'b-normal', 'c-high']) await writeFile(join(src, name), randomBytes(MIB));
  const { bytes, meta } = await makeTorrent(src, 'v1', 64 * 1024);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const daemon = await startDaemon(t, join(dir, 'state'), ['--download-dir', join(dir, 'dl')]);
  // About 6 s for the 3 MiB: slow enough that the order of the pieces shows in the order the files complete,
  // even when a busy machine stretches the polls below.
  await daemon.rpc('session.set', { downloadLimitBytesPerSec: MIB / 2 });
  const added = await daemon.rpc<{ torrent: { id: number } }>('torrent.add', { metainfo: bytes.toString('base64'), paused: true, peers: [`127.0.0.1:${seed.listenPort}`] });
  const id = added.torrent.id;
  const index = (name: string): number => meta.files.findIndex((f) => f.path.at(-1) === name);
  await daemon.rpc('torrent.set', { ids: [id], priorityLow: [index('a-low')], priorityHigh: [index('c-high')] });
  await daemon.rpc('torrent.resume', { ids: [id] });

  // Each poll: how much of each file (low, normal, high) is verified.
  const polls: number[][] = [];
  await until('every file to complete', async () => {
    const d = await daemon.rpc<TorrentDetail>('torrent.get', { ids: id });
    const done = ['a-low', 'b-normal', 'c-high'].map((name) => {
      const f = d.files.find((g) => g.path.endsWith(name))!;
      return f.verifiedBytes / f.lengthBytes;
    });
    polls.push(done);
    if (process.env.DEBUG_POLLS) console.log(JSON.stringify(done));
    return done.every((x) => x === 1) ? true : undefined;
  }, 60_000, 50);
  const highDone = polls.find(([, , high]) => high === 1)!;
  const normalDone = polls.find(([, normal]) => normal === 1)!;
  assert.ok(highDone[0]! < 0.5 && highDone[1]! < 1, `when the high file completed, low and normal were ${highDone[0]} and ${highDone[1]} done`);
  assert.ok(normalDone[0]! < 1, `when the normal file completed, the low one was ${normalDone[0]} done`);
  const detail = await daemon.rpc<TorrentDetail>('torrent.get', { ids: id });
  assert.deepEqual(detail.files.map((f) => f.priority), [-1, 0, 1]);
});

test('seed ratio: a seed stops at its own ratio once a leecher has the file; started by hand it seeds on without a limit', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'data.bin');
  await writeFile(file, randomBytes(2 * MIB));
  const { bytes, meta } = await makeTorrent(file, 'v1', 64 * 1024);
  await writeFile(join(dir, 'data.torrent'), bytes);
  const state = join(dir, 'state');
  const daemon = await startDaemon(t, state, ['--download-dir', dir]);
  const cli = (...args: string[]) => tandem([...args, '--state-dir', state], { timeoutMs: 30_000 });
  assert.equal((await cli('add', join(dir, 'data.torrent'))).code, 0);
  await until('the daemon to seed', async () => ((await daemon.rpc<TorrentDetail>('torrent.get', { ids: 1 })).status === 'seeding' ? true : undefined));
  const limit = await cli('limit', '1', '--ratio', '1');
  assert.equal(limit.code, 0, limit.stderr);
  assert.match(limit.stdout, /seed ratio 1$/m);
  const bad = await cli('limit', '1', '--ratio', 'lots');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--ratio: "lots" is not a ratio/);

  const { peerPortBound } = await daemon.rpc<{ peerPortBound: number }>('session.get');
  const leecher = await startTorrent(t, { metainfo: meta, dir: join(dir, 'leecher'), peers: [{ host: '127.0.0.1', port: peerPortBound }] });
  await whenDone(leecher);
  const stopped = await until('the seed to stop at ratio 1', async () => {
    const d = await daemon.rpc<TorrentDetail>('torrent.get', { ids: 1 });
    return d.status === 'stopped' ? d : undefined;
  }, 15_000);
  assert.ok(stopped.ratio >= 1, `stopped at ratio ${stopped.ratio}`);
  assert.deepEqual([stopped.seedRatioMode, stopped.seedRatioLimit], ['own', 1]);

  assert.equal((await cli('resume', '1')).code, 0);
  const resumed = await until('seeding again', async () => {
    const d = await daemon.rpc<TorrentDetail>('torrent.get', { ids: 1 });
    return d.status === 'seeding' ? d : undefined;
  });
  assert.equal(resumed.seedRatioMode, 'unlimited');
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await daemon.rpc<TorrentDetail>('torrent.get', { ids: 1 })).status, 'seeding', 'it is not stopped again');
});

test("trackers: the daemon's HTTP and UDP trackers share their swarms; reannounce announces before the interval is up", async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'data.bin');
  await writeFile(file, randomBytes(256 * 1024));
  const daemon = await startDaemon(t, join(dir, 'state'), ['--download-dir', dir, '--tracker-http', '127.0.0.1:0', '--tracker-udp', '127.0.0.1:0']);
  const servers = await daemon.rpc<ServerInfo[]>('server.list');
  const http = servers.find((s) => s.kind === 'tracker-http')!.address;
  const udp = servers.find((s) => s.kind === 'tracker-udp')!.address;

  const infoHash = randomBytes(20);
  const udpClient = new UdpTrackerClient(`udp://${udp}/announce`);
  t.after(() => udpClient.close());
  const base = { infoHash, uploaded: 0, downloaded: 0, left: 1, numwant: 50, compact: true } as const;
  await udpClient.announce({ ...base, peerId: randomBytes(20), port: 4321, event: 'started' });
  const viaHttp = await httpAnnounce(`http://${http}/announce`, { ...base, peerId: randomBytes(20), port: 4322, event: 'started' });
  assert.deepEqual(viaHttp.peers.map((p) => p.port), [4321], 'a peer announced over UDP is handed out over HTTP');

  const { bytes } = await createTorrent(file, { pieceLengthBytes: 64 * 1024, trackers: [`http://${http}/announce`], creationDate: null, workers: 1 });
  const { torrent } = await daemon.rpc<{ torrent: { id: number } }>('torrent.add', { metainfo: bytes.toString('base64') });
  const announcedAt = async (): Promise<number> => (await daemon.rpc<TorrentDetail>('torrent.get', { ids: torrent.id })).trackers[0]?.lastAnnounceAt ?? 0;
  const first = await until('the first announce', async () => ((await announcedAt()) > 0 ? announcedAt() : undefined));
  const re = await tandem(['reannounce', String(torrent.id), '--state-dir', daemon.stateDir], { timeoutMs: 30_000 });
  assert.equal(re.code, 0, re.stderr);
  assert.match(re.stdout, /announcing: 1/);
  // The tracker's interval is far longer; the client keeps to its `min interval` floor (5 s) and then announces.
  const second = await until('the announce asked for', async () => {
    const at = await announcedAt();
    return at > first ? at : undefined;
  }, 15_000);
  assert.ok(second - first < 10_000, `announced again after ${second - first} ms`);
});
