import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { FileStorage } from '../../src/storage/index.js';
import { DhtNode } from '../../src/dht/index.js';
import type { Metainfo } from '../../src/metainfo/index.js';
import { makeTorrent, makeTree, startTorrent, treeHashes, whenDone } from '../helpers/peer-fixtures.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

/** Pieces whose bytes on disk match their hash right now, checked independently of the program under test. */
async function piecesOnDisk(dir: string, meta: Metainfo): Promise<number> {
  const storage = new FileStorage(dir, meta);
  await storage.open();
  let good = 0;
  for (let p = 0; p < meta.pieceCount; p++) {
    const h = await storage.hashPiece(p);
    if (h?.equals(meta.pieces!.subarray(p * 20, p * 20 + 20))) good++;
  }
  await storage.close();
  return good;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('tandem share prints a magnet; tandem get of that magnet exits 0 with identical files; --json gives progress lines', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 5);
  const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--no-dht', '--listen', '127.0.0.1', '--json']);
  const [line] = await waitForLine(share, /^\{.*"event":"seeding".*\}$/);
  const { magnet } = JSON.parse(line) as { magnet: string };
  assert.match(magnet, /^magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=content&x\.pe=127\.0\.0\.1%3A\d+$/);
  const out = join(dir, 'out');
  const r = await tandem(['get', magnet, '-o', out, '--no-dht', '--json'], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout);
  assert.deepEqual(events.map((e) => e.event).filter((e) => e !== 'progress'), ['metadata', 'ready', 'done']);
  const done = events.find((e) => e.event === 'done')!;
  assert.equal(done.verifiedBytes, done.wantedBytes);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  share.kill('SIGINT');
  const [code] = (await once(share, 'exit')) as [number];
  assert.equal(code, 0, 'share exits 0 on Ctrl-C');
});

test('a leecher killed with SIGKILL mid-download resumes and finishes; it never reports a piece not verified on disk', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 30);
  const { bytes, meta } = await makeTorrent(src);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const out = join(dir, 'out');
  const peer = `127.0.0.1:${seed.listenPort}`;
  const first = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', file, '-o', out, '--peer', peer, '--no-dht', '--json', '--download-limit', '512KiB']);
  let stdout = '';
  first.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  // Killed once some but not all of it is verified.
  await waitForLine(first, /"event":"progress".*"verifiedBytes":[1-9]/, 30_000);
  first.kill('SIGKILL');
  await once(first, 'exit');
  const reported = Math.max(...jsonLines(stdout).filter((e) => e.event === 'progress').map((e) => e.verifiedBytes as number));
  const good = await piecesOnDisk(out, meta);
  assert.ok(good < meta.pieceCount, 'the kill came mid-download');
  assert.ok(reported <= good * meta.pieceLengthBytes, `reported ${reported} bytes verified but only ${good} pieces are on disk`);

  const second = await tandem(['get', file, '-o', out, '--peer', peer, '--no-dht', '--json'], { timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  const ready = jsonLines(second.stdout).find((e) => e.event === 'ready')!;
  assert.ok((ready.piecesHave as number) > 0 && (ready.piecesHave as number) <= good, `resumed with ${String(ready.piecesHave)} pieces; ${good} were on disk`);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));

  // A clean restart trusts the resume file (no re-hash) and has nothing to fetch.
  const third = await tandem(['get', file, '-o', out, '--peer', peer, '--no-dht', '--json'], { timeoutMs: 30_000 });
  assert.equal(third.code, 0, third.stderr);
  assert.deepEqual(jsonLines(third.stdout).find((e) => e.event === 'ready'), { event: 'ready', piecesHave: meta.pieceCount, source: 'resume' });
});

test('tandem get --seed with the data already in place verifies it, downloads nothing and seeds', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 3);
  const { bytes, meta } = await makeTorrent(src);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  const seeder = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', file, '-o', dir, '--seed', '--no-dht', '--json']);
  const [line] = await waitForLine(seeder, /^\{.*"event":"done".*\}$/);
  const done = JSON.parse(line) as { downloadedBytes: number; listenPort: number; verifiedBytes: number };
  assert.equal(done.downloadedBytes, 0);
  assert.equal(done.verifiedBytes, meta.totalLengthBytes);
  const out = join(dir, 'out');
  const leech = await startTorrent(t, { metainfo: meta, dir: out, peers: [{ host: '127.0.0.1', port: done.listenPort }] });
  await whenDone(leech);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('bad input exits 2 with one line: a missing torrent file, a malformed --peer, a bad --only', async (t) => {
  const dir = await tempDir(t);
  const missing = await tandem(['get', join(dir, 'nope.torrent'), '--no-dht']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^tandem: cannot open/);
  const { bytes } = await makeTorrent(await makeTree(dir));
  await writeFile(join(dir, 'c.torrent'), bytes);
  const badPeer = await tandem(['get', join(dir, 'c.torrent'), '--peer', 'localhost', '--no-dht']);
  assert.equal(badPeer.code, 2);
  assert.match(badPeer.stderr, /not a peer address/);
  const badOnly = await tandem(['get', join(dir, 'c.torrent'), '--only', '9', '-o', dir, '--no-dht']);
  assert.equal(badOnly.code, 2);
  assert.match(badOnly.stderr, /--only: file 9 does not exist/);
});

test('DHT as a peer source: a magnet with no peer and no tracker is found through a loopback DHT (BEP 5)', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 2);
  const router = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [] });
  await router.start();
  t.after(() => router.stop());
  const bootstrap = `127.0.0.1:${router.address(4)!.port}`;
  const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--json', '--dht-bootstrap', bootstrap]);
  const [line] = await waitForLine(share, /^\{.*"event":"seeding".*\}$/);
  const magnet = (JSON.parse(line) as { magnet: string }).magnet.replace(/&x\.pe=[^&]*/, '');
  assert.doesNotMatch(magnet, /x\.pe|tr=/);
  // The share's first announce goes out as it starts; the lookup retries every round until it finds it.
  const r = await tandem(['get', magnet, '-o', join(dir, 'out'), '--dht-bootstrap', bootstrap], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'content')), await treeHashes(src));
});
