import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, until } from '../helpers/daemon.js';
import { makeTorrent, makeTree, startTorrent, treeHashes } from '../helpers/peer-fixtures.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import type { SessionStats, TorrentDetail, TorrentSummary } from '../../src/node/index.js';

const remote = (stateDir: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => tandem([...args, '--state-dir', stateDir], { timeoutMs: 30_000 });

test('daemon + CLI: add a .torrent from a tandem seed, watch it complete, inspect it, pause, resume, remove with data', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 10);
  const { bytes, meta } = await makeTorrent(src, 'v1', 16 * 1024);
  await writeFile(join(dir, 'c.torrent'), bytes);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const state = join(dir, 'state');
  const dl = join(dir, 'dl');
  await startDaemon(t, state, ['--download-dir', dl]);

  const added = await remote(state, 'add', join(dir, 'c.torrent'), '--peer', `127.0.0.1:${seed.listenPort}`, '--label', 'fixtures', '--json');
  assert.equal(added.code, 0, added.stderr);
  const { torrent } = JSON.parse(added.stdout) as { torrent: TorrentSummary };
  assert.equal(torrent.id, 1);
  assert.equal(torrent.infoHash, meta.infoHashV1!.toString('hex'));

  await until('the download to complete', async () => {
    const r = await remote(state, 'ls', '--json');
    const row = JSON.parse(r.stdout.trim().split('\n')[0]!) as TorrentSummary;
    return row.status === 'seeding' && row.progress === 1 ? row : undefined;
  });
  assert.deepEqual(await treeHashes(join(dl, 'content')), await treeHashes(src));

  const ls = await remote(state, 'ls');
  assert.match(ls.stdout, /^ID\s+Done\s+Size/m);
  assert.match(ls.stdout, /\b1\s+100%.*seeding\s+content$/m);
  const show = await remote(state, 'show', meta.infoHashV1!.toString('hex').slice(0, 8));
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /Labels:\s+fixtures/);
  assert.match(show.stdout, new RegExp(`Location:\\s+${dl.replace(/[/.]/g, '\\$&')}`));
  const files = await remote(state, 'files', '1', '--json');
  const fileRows = files.stdout.trim().split('\n').map((l) => JSON.parse(l) as { path: string; verifiedBytes: number; lengthBytes: number });
  assert.deepEqual(fileRows.map((f) => f.path).sort(), ['content/a.bin', 'content/sub/deep/b.bin', 'content/sub/empty.txt', 'content/z.bin']);
  assert.ok(fileRows.every((f) => f.verifiedBytes === f.lengthBytes));

  assert.equal((await remote(state, 'pause', '1')).code, 0);
  await until('paused', async () => ((JSON.parse((await remote(state, 'ls', '--json')).stdout) as TorrentSummary).status === 'stopped' ? true : undefined));
  assert.equal((await remote(state, 'resume', 'all')).code, 0);
  await until('seeding again', async () => ((JSON.parse((await remote(state, 'ls', '--json')).stdout) as TorrentSummary).status === 'seeding' ? true : undefined));

  const limit = await remote(state, 'limit', '--down', '2MiB', '--up', '512KiB');
  assert.match(limit.stdout, /global limits: down 2\.00 MiB\/s, up 512 KiB\/s/);

  const rm = await remote(state, 'rm', '1', '--delete');
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(existsSync(join(dl, 'content', 'a.bin')), false);
  assert.equal(existsSync(join(dl, 'content')), false, 'the folders the torrent made are gone');
  assert.equal((await remote(state, 'ls')).stdout.trim(), 'no torrents');
  const missing = await remote(state, 'show', '1');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no torrent with id 1/);
});

test('kill -9 during a download: the restarted daemon keeps the torrent (same id, path, labels), resumes, and the bytes match', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 40);
  const { meta } = await makeTorrent(src, 'v1', 16 * 1024);
  // A slow seed (about 19 s for the whole), so the kill lands mid-download, after a resume checkpoint.
  const seed = await startTorrent(t, { metainfo: meta, dir, uploadLimitBytesPerSec: 256 * 1024 });
  const state = join(dir, 'state');
  const dl = join(dir, 'dl');
  const first = await startDaemon(t, state, ['--download-dir', dl]);
  const { torrent } = await first.rpc<{ torrent: TorrentSummary }>('torrent.add', { metainfo: (await makeTorrent(src, 'v1', 16 * 1024)).bytes.toString('base64'), labels: ['crash'], peers: [`127.0.0.1:${seed.listenPort}`] });
  // Past a resume checkpoint (the swarm saves every 5 s) but not done.
  await until('progress past a checkpoint', async () => {
    const [row] = await first.rpc<TorrentSummary[]>('torrent.list');
    return row && row.progress > 0.3 && row.progress < 0.6 ? row : undefined;
  }, 60_000);
  await new Promise((r) => setTimeout(r, 5_500));
  const before = (await first.rpc<TorrentSummary[]>('torrent.list'))[0]!;
  await first.kill9();

  const second = await startDaemon(t, state, ['--download-dir', dl]);
  const [row] = await second.rpc<TorrentSummary[]>('torrent.list');
  assert.ok(row, 'the torrent survived the crash');
  assert.equal(row.id, torrent.id);
  assert.equal(row.infoHash, torrent.infoHash);
  assert.equal(row.savePath, dl);
  assert.deepEqual(row.labels, ['crash']);
  await until('the resumed download to complete', async () => {
    const [r] = await second.rpc<TorrentSummary[]>('torrent.list');
    return r?.status === 'seeding' ? r : undefined;
  }, 60_000);
  assert.deepEqual(await treeHashes(join(dl, 'content')), await treeHashes(src));
  const stats = await second.rpc<SessionStats>('session.stats');
  // It resumed from its checkpoint: at most the pieces since the last save are hashed or fetched again.
  assert.ok(stats.piecesHashed <= meta.pieceCount, `hashed ${stats.piecesHashed} of ${meta.pieceCount}`);
  // It downloaded the rest, not the whole again.
  assert.ok(stats.sessionDownloadedBytes > 0 && stats.sessionDownloadedBytes < meta.totalLengthBytes, JSON.stringify(stats));
  assert.ok(stats.cumulativeDownloadedBytes >= stats.sessionDownloadedBytes, JSON.stringify(stats));
  assert.ok(before.verifiedBytes > 0);

  // A clean stop, then a restart: resume data is trusted, nothing is hashed.
  assert.equal(await second.stop(), 0);
  const third = await startDaemon(t, state, ['--download-dir', dl]);
  await until('seeding after a clean restart', async () => ((await third.rpc<TorrentSummary[]>('torrent.list'))[0]?.status === 'seeding' ? true : undefined));
  assert.equal((await third.rpc<SessionStats>('session.stats')).piecesHashed, 0);
});

test('100 adds at once: 100 distinct ids, all kept across a restart', async (t) => {
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  const daemon = await startDaemon(t, state, ['--download-dir', join(dir, 'dl')]);
  const torrents = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const p = join(dir, `f${i}.bin`);
      await writeFile(p, Buffer.from(`file ${i} `.repeat(100)));
      return (await makeTorrent(p)).bytes.toString('base64');
    }),
  );
  const results = await Promise.all(torrents.map((metainfo) => daemon.rpc<{ torrent: TorrentSummary; duplicate: boolean }>('torrent.add', { metainfo, paused: true })));
  const ids = results.map((r) => r.torrent.id);
  assert.equal(new Set(ids).size, 100);
  assert.ok(results.every((r) => !r.duplicate));
  const again = await daemon.rpc<{ duplicate: boolean; torrent: TorrentSummary }>('torrent.add', { metainfo: torrents[7] });
  assert.equal(again.duplicate, true);
  assert.equal(again.torrent.id, ids[7]);
  await daemon.kill9();
  const restarted = await startDaemon(t, state);
  const list = await restarted.rpc<TorrentSummary[]>('torrent.list');
  assert.deepEqual(list.map((r) => r.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
  assert.ok(list.every((r) => r.status === 'stopped'));
  const detail = await restarted.rpc<TorrentDetail>('torrent.get', { id: ids[3] });
  assert.equal(detail.files.length, 1);
});
