import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent, parseTorrent } from '../../src/metainfo/index.js';
import { tandem, TANDEM_ARGV } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree, patternBytes } from '../helpers/trees.js';

test('hashing in worker threads gives the same torrent as hashing inline', async (t) => {
  const root = await tempDir(t);
  // 40 MiB: above the size where the pool starts threads.
  const file = join(root, 'big.bin');
  await writeFile(file, Buffer.concat(Array.from({ length: 40 }, (_, i) => patternBytes(1024 * 1024, i + 1))));
  for (const version of ['v1', 'hybrid'] as const) {
    const opts = { version, pieceLengthBytes: 65536, creationDate: null };
    const inline = await createTorrent(file, { ...opts, workers: 0 });
    const pooled = await createTorrent(file, { ...opts, workers: 2 });
    assert.deepEqual(pooled.bytes, inline.bytes, version);
  }
});

test('the executable itself hashes a large file in threads (its #! line gives Node a flag that workers refuse)', async (t) => {
  const root = await tempDir(t);
  const file = join(root, 'big.bin');
  await writeFile(file, Buffer.concat(Array.from({ length: 40 }, (_, i) => patternBytes(1024 * 1024, i + 1))));
  const out = join(root, 'big.torrent');
  // Run with its #! line's Node flags (`node --max-semi-space-size=4`, as `npx tandem` does), as every test now runs
  // it: every worker used to fail at start there ("invalid execArgv flags"), while the tests ran a bare `node`.
  assert.ok(TANDEM_ARGV.length > 1, 'the #! line gives Node a flag');
  const r = await tandem(['create', file, '-o', out, '--piece-length', '64KiB', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const inline = await createTorrent(file, { pieceLengthBytes: 65536, workers: 0 });
  assert.equal(parseTorrent(await readFile(out)).infoHashV1?.toString('hex'), parseTorrent(inline.bytes).infoHashV1?.toString('hex'));
});

test('an aborted signal stops hashing with its own reason, inline and in threads', async (t) => {
  const root = await tempDir(t);
  const file = join(root, 'big.bin');
  await writeFile(file, Buffer.concat(Array.from({ length: 40 }, (_, i) => patternBytes(1024 * 1024, i + 1))));
  for (const workers of [0, 2]) {
    const reason = new Error(`stop ${workers}`);
    await assert.rejects(createTorrent(file, { workers, signal: AbortSignal.abort(reason) }), (err: unknown) => err === reason);
  }
});

test('create then info round-trips through the CLI, with --json', async (t) => {
  const root = await tempDir(t);
  const dir = await makeSampleTree(root);
  const out = join(root, 'sample.torrent');
  const created = await tandem(['create', dir, '-o', out, '--hybrid', '--piece-length', '16KiB', '-t', 'http://127.0.0.1:1/announce', '-t', 'udp://127.0.0.1:2', '-w', 'http://127.0.0.1:3/', '--private', '--comment', 'test', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const record = created.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.event === 'created')!;
  assert.equal(record.version, 'hybrid');
  const meta = parseTorrent(await readFile(out));
  assert.equal(record.infoHashV1, meta.infoHashV1!.toString('hex'));
  assert.equal(meta.private, true);
  assert.deepEqual(meta.announce, [['http://127.0.0.1:1/announce'], ['udp://127.0.0.1:2']]);
  assert.deepEqual(meta.urlList, ['http://127.0.0.1:3/']);

  const info = await tandem(['info', out, '--json']);
  assert.equal(info.code, 0, info.stderr);
  const summary = JSON.parse(info.stdout) as { files: { path: string; lengthBytes: number }[]; infoHashV2: string; magnet: string; totalBytes: number };
  assert.equal(summary.infoHashV2, meta.infoHashV2!.toString('hex'));
  assert.deepEqual(summary.files.map((f) => f.path), ['sample/a/b/deep.bin', 'sample/a/empty.txt', 'sample/a-c.txt', 'sample/c/d/e/f.bin', 'sample/top.bin', 'sample/z.dat']);
  assert.equal(summary.totalBytes, 70_001 + 1_234 + 200_000 + 16_384 + 5);
  assert.match(summary.magnet, /^magnet:\?xt=urn:btih:[0-9a-f]{40}&xt=urn:btmh:1220[0-9a-f]{64}&dn=sample/);

  const text = await tandem(['info', out]);
  assert.match(text.stdout, /info hash v1: [0-9a-f]{40}/);
  assert.match(text.stdout, /tier 2: udp:\/\/127\.0\.0\.1:2/);

  const magnet = await tandem(['info', summary.magnet, '--json']);
  assert.equal(magnet.code, 0);
  assert.equal((JSON.parse(magnet.stdout) as { infoHashV1: string }).infoHashV1, meta.infoHashV1!.toString('hex'));
});

test('bad input exits 2 with one line that names the fault; --verbose adds the stack', async (t) => {
  const root = await tempDir(t);
  const bad = join(root, 'bad.torrent');
  await writeFile(bad, 'd4:infod6:lengthi13e4:name1:x12:piece lengthi16384e6:pieces41:' + 'x'.repeat(41) + 'ee');
  const r = await tandem(['info', bad]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `tandem: ${bad}: pieces is 41 bytes, not a multiple of 20\n`);
  const verbose = await tandem(['info', bad, '--verbose']);
  assert.equal(verbose.code, 2);
  assert.match(verbose.stderr, /\n\s+at /);

  assert.equal((await tandem(['info', join(root, 'missing.torrent')])).code, 2);
  assert.equal((await tandem(['info', 'magnet:?xt=urn:btih:zz'])).code, 2);
  assert.equal((await tandem(['create', join(root, 'nothing-here')])).code, 2);
  assert.equal((await tandem(['create', root, '--piece-length', '1000'])).code, 2);
  assert.equal((await tandem(['create'])).code, 2);
  assert.equal((await tandem(['no-such-command'])).code, 2);
  const help = await tandem(['create', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--hybrid/);
});

test('create refuses to overwrite without --force and names the output file', async (t) => {
  const root = await tempDir(t);
  const file = join(root, 'one.txt');
  await writeFile(file, 'hello');
  const out = join(root, 'one.torrent');
  assert.equal((await tandem(['create', file, '-o', out, '-q'])).code, 0);
  const again = await tandem(['create', file, '-o', out]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
  assert.equal((await tandem(['create', file, '-o', out, '--force', '-q'])).code, 0);
});
