// The web-seed client against the real `tandem serve`, plus small in-test servers for the faults a real server
// will not produce (404/500 everywhere, Range ignored, lies about ranges, stalls).
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { downloadFromWebSeeds, WebSeedError } from '../../src/webseed/index.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree } from '../helpers/trees.js';
import { assertSameTree, makeTorrent, startTandemServe, startTestServer, treeHashes } from '../helpers/webseed-servers.js';

const isCode = (code: string) => (e: unknown) => e instanceof WebSeedError && e.code === code;

describe('web seeds against tandem serve', () => {
  it('downloads a single-file torrent, URL naming the file and URL naming its folder (BEP 19)', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const base = await startTandemServe(t, join(dir, 'src'));
    const file = join(sample, 'c/d/e/f.bin');
    for (const [i, url] of [`${base}sample/c/d/e/f.bin`, `${base}sample/c/d/e/`].entries()) {
      const meta = await makeTorrent(file, { webSeeds: [url] });
      assert.equal(meta.singleFile, true);
      const out = join(dir, `out${i}`);
      const r = await downloadFromWebSeeds({ meta, outDir: out });
      assert.equal(r.bytes, 200_000);
      await assertSameTree(file, join(out, 'f.bin'));
      assert.equal(r.seeds[0]!.stats.failures, 0);
      assert.equal(r.seeds[0]!.stats.piecesFetched, meta.pieceCount);
    }
  });

  for (const version of ['v1', 'hybrid'] as const) {
    it(`downloads a ${version} multi-file torrent: nested folders, an empty file, odd sizes${version === 'hybrid' ? ', pad files never asked for' : ''}`, async (t) => {
      const dir = await tempDir(t);
      const sample = await makeSampleTree(join(dir, 'src'));
      const base = await startTandemServe(t, join(dir, 'src'));
      const meta = await makeTorrent(sample, { version, webSeeds: [base] });
      if (version === 'hybrid') assert.ok(meta.files.some((f) => f.pad), 'the hybrid torrent has pad files');
      const out = join(dir, 'out');
      const pieces: number[] = [];
      const r = await downloadFromWebSeeds({ meta, outDir: out, onPiece: (e) => pieces.push(e.pieceIndex) });
      await assertSameTree(sample, join(out, 'sample'));
      assert.equal((await stat(join(out, 'sample/a/empty.txt'))).size, 0);
      assert.deepEqual([...pieces].sort((a, b) => a - b), Array.from({ length: meta.pieceCount }, (_, i) => i));
      // A request for a pad file would 404 on the real server and count as a failure.
      assert.equal(r.seeds[0]!.stats.failures, 0);
      assert.equal(r.bytes, meta.totalLengthBytes);
    });
  }

  it('completes with one good seed when the other answers 500 to everything, contacting the bad one a bounded number of times', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const good = await startTandemServe(t, join(dir, 'src'));
    const bad = await startTestServer(t, (_req, res) => res.writeHead(500).end('broken'));
    const meta = await makeTorrent(sample, { webSeeds: [bad.url, good] });
    const errors: string[] = [];
    const r = await downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), onSeedError: (e) => errors.push(e.error.code) });
    await assertSameTree(sample, join(dir, 'out/sample'));
    // Listed first, so it is tried first, then backed off (1 s, doubling) instead of being hammered.
    assert.ok(bad.hits.length >= 1 && bad.hits.length <= 4, `bad seed contacted ${bad.hits.length} times`);
    assert.ok(errors.every((c) => c === 'WEBSEED_STATUS'));
    assert.equal(r.seeds[1]!.stats.failures, 0);
  });

  it('completes when a seed answers 404: each file is asked of it about once, then marked missing', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const good = await startTandemServe(t, join(dir, 'src'));
    const empty = await startTestServer(t, (_req, res) => res.writeHead(404).end());
    const meta = await makeTorrent(sample, { webSeeds: [empty.url, good] });
    await downloadFromWebSeeds({ meta, outDir: join(dir, 'out') });
    await assertSameTree(sample, join(dir, 'out/sample'));
    const nonEmptyFiles = meta.files.filter((f) => f.length > 0 && !f.pad).length;
    // At most one 404 per file per request slot: the cap (2) bounds what was already in flight.
    assert.ok(empty.hits.length >= 1 && empty.hits.length <= 2 * nonEmptyFiles, `404 seed contacted ${empty.hits.length} times`);
    const perFile = new Map<string, number>();
    for (const h of empty.hits) perFile.set(h.path, (perFile.get(h.path) ?? 0) + 1);
    assert.ok([...perFile.values()].every((n) => n <= 2), JSON.stringify([...perFile]));
  });

  it('fails with a clear typed error when the only seed is down, after a bounded number of requests', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const bad = await startTestServer(t, (_req, res) => res.writeHead(503, { 'retry-after': '0' }).end());
    const meta = await makeTorrent(sample, { webSeeds: [bad.url] });
    await assert.rejects(
      downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), maxAttemptsPerPiece: 3, seedOptions: { backoffBaseMs: 20, backoffMaxMs: 50 } }),
      isCode('WEBSEED_FAILED'),
    );
    assert.ok(bad.hits.length <= 2 * 3 + 2, `down seed contacted ${bad.hits.length} times`);
  });

  it('detects a server that ignores Range: small files are fetched whole and sliced, big ones are refused', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const file = join(sample, 'c/d/e/f.bin');
    const plain = await startTestServer(t, (_req, res) => {
      res.writeHead(200, { 'content-length': '200000' });
      createReadStream(file).pipe(res);
    });
    const meta = await makeTorrent(file, { webSeeds: [plain.url + 'f.bin'] });
    const r = await downloadFromWebSeeds({ meta, outDir: join(dir, 'out') });
    assert.equal(r.seeds[0]!.ignoresRanges, true);
    assert.deepEqual(await treeHashes(join(dir, 'out/f.bin')), await treeHashes(file));
    // After the first 200 the client stops sending Range for this seed.
    assert.ok(plain.hits.slice(2).every((h) => h.range === undefined), JSON.stringify(plain.hits.slice(0, 4)));

    const before = plain.hits.length;
    await assert.rejects(
      downloadFromWebSeeds({ meta, outDir: join(dir, 'out2'), seedOptions: { noRangesWholeFileMaxBytes: 1000 } }),
      (e: unknown) => isCode('WEBSEED_FAILED')(e) && /no-ranges/.test((e as Error).message),
    );
    assert.ok(plain.hits.length - before <= 2, 'refused after the first answers (one per request slot)');
  });

  it('stops cleanly when the caller aborts mid-download', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const slow = await startTestServer(t, () => undefined); // accepts, never answers
    const meta = await makeTorrent(sample, { webSeeds: [slow.url] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), signal: ac.signal }), isCode('WEBSEED_ABORTED'));
    assert.equal(slow.hits.length, 2, 'one request per slot, nothing more');
  });

  it('a seed sending wrong bytes fails the hash check and the piece comes from another seed', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const file = join(sample, 'c/d/e/f.bin');
    const content = await readFile(file);
    const good = await startTandemServe(t, join(dir, 'src'));
    const liar = await startTestServer(t, (req, res) => {
      const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '') ?? [];
      const body = Buffer.from(content.subarray(Number(a), Number(b) + 1));
      body[0] = body[0]! ^ 0xff;
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${content.length}`, 'content-length': String(body.length) }).end(body);
    });
    const meta = await makeTorrent(file, { webSeeds: [liar.url + 'f.bin', good + 'sample/c/d/e/f.bin'] });
    const codes: string[] = [];
    await downloadFromWebSeeds({ meta, outDir: join(dir, 'out'), onSeedError: (e) => codes.push(e.error.code) });
    assert.deepEqual(await treeHashes(join(dir, 'out/f.bin')), await treeHashes(file));
    assert.ok(codes.includes('WEBSEED_HASH'));
    assert.ok(liar.hits.length <= 4, `liar contacted ${liar.hits.length} times`);
  });
});
