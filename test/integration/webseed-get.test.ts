// `tandem get` with BEP 19 web seeds inside the swarm: the real CLI, the real `tandem serve` as the origin (and
// small counting servers for faults), an in-process tandem peer where a test needs one. Everything on loopback,
// no DHT.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import type * as http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent, type CreateOptions, type Metainfo, type TorrentVersion } from '../../src/metainfo/index.js';
import { startTorrent } from '../helpers/peer-fixtures.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { makeSampleTree, patternBytes } from '../helpers/trees.js';
import { assertSameTree, startTandemServe, startTestServer } from '../helpers/webseed-servers.js';

type T = Parameters<typeof tempDir>[0];

/** A .torrent of `path` on disk (16 KiB pieces unless given), and its parsed form. */
async function torrentFile(dir: string, path: string, options: CreateOptions & { version?: TorrentVersion } = {}): Promise<{ file: string; meta: Metainfo }> {
  const { bytes, metainfo } = await createTorrent(path, { pieceLengthBytes: 16_384, creationDate: null, workers: 1, ...options });
  const file = join(dir, `t-${Math.random().toString(36).slice(2)}.torrent`);
  await writeFile(file, bytes);
  return { file, meta: metainfo };
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs `tandem get` with no DHT and JSON output; asserts exit 0; returns the 'done' record and every event. */
async function get(args: string[], timeoutMs = 60_000): Promise<{ done: Record<string, unknown>; events: Record<string, unknown>[]; stderr: string }> {
  const r = await tandem(['get', ...args, '--no-dht', '--json'], { timeoutMs });
  assert.equal(r.code, 0, `tandem get failed:\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  const events = jsonLines(r.stdout);
  const done = events.find((e) => e.event === 'done');
  assert.ok(done, 'a done event');
  return { done, events, stderr: r.stderr };
}

/** A one-file origin that honours single ranges, answering each request after `delayMs`; counts what it sees. */
/** A fresh folder holding `data.bin` of `length` pattern bytes (`seed` picks the pattern). */
async function dataFile(t: T, length: number, seed: number): Promise<{ dir: string; body: Buffer; path: string }> {
  const dir = await tempDir(t);
  const body = patternBytes(length, seed);
  const path = join(dir, 'data.bin');
  await writeFile(path, body);
  return { dir, body, path };
}

async function startSlowOrigin(t: T, body: Buffer, delayMs: number): ReturnType<typeof startTestServer> {
  return startTestServer(t, (req: http.IncomingMessage, res: http.ServerResponse) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    setTimeout(() => {
      if (!m) return void res.writeHead(200, { 'content-length': body.length }).end(body);
      const first = Number(m[1]);
      const last = Math.min(Number(m[2]), body.length - 1);
      res.writeHead(206, { 'content-range': `bytes ${first}-${last}/${body.length}`, 'content-length': last - first + 1 });
      res.end(body.subarray(first, last + 1));
    }, delayMs);
  });
}

describe('tandem get with web seeds (BEP 19)', () => {
  it('a single-file torrent with only a web seed completes; every byte came from it', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const base = await startTandemServe(t, join(dir, 'src'));
    const path = join(sample, 'c/d/e/f.bin');
    const { file, meta } = await torrentFile(dir, path, { webSeeds: [`${base}sample/c/d/e/f.bin`] });
    const { done } = await get([file, '-o', join(dir, 'out')]);
    await assertSameTree(path, join(dir, 'out/f.bin'));
    assert.equal(done.verifiedBytes, meta.totalLengthBytes);
    assert.equal(done.webSeedBytes, meta.totalLengthBytes, 'no peer exists: the web seed sent it all');
  });

  for (const version of ['v1', 'hybrid'] as const) {
    it(`a ${version} multi-file torrent (nested folders, an empty file, odd sizes) with only a web seed completes`, async (t) => {
      const dir = await tempDir(t);
      const sample = await makeSampleTree(join(dir, 'src'));
      const base = await startTandemServe(t, join(dir, 'src'));
      const { file, meta } = await torrentFile(dir, sample, { version, webSeeds: [base] });
      const { done } = await get([file, '-o', join(dir, 'out')]);
      await assertSameTree(sample, join(dir, 'out/sample'));
      assert.equal((await stat(join(dir, 'out/sample/a/empty.txt'))).size, 0);
      assert.equal(done.verifiedBytes, meta.totalLengthBytes);
      // Pieces count whole, pad stretches (BEP 47, never asked for) included.
      assert.equal(done.webSeedBytes, meta.totalLengthBytes);
    });
  }

  it('with a tandem peer seed and a web seed, completes', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const base = await startTandemServe(t, join(dir, 'src'));
    const { file, meta } = await torrentFile(dir, sample, { webSeeds: [base] });
    const seed = await startTorrent(t, { metainfo: meta, dir: join(dir, 'src'), trustData: true });
    const { done } = await get([file, '-o', join(dir, 'out'), '--peer', `127.0.0.1:${seed.listenPort}`]);
    await assertSameTree(sample, join(dir, 'out/sample'));
    assert.equal(done.verifiedBytes, meta.totalLengthBytes);
  });

  it('a web seed answering 404 next to a live peer: completes, the seed is asked a bounded number of times, one warning', async (t) => {
    const { dir, body, path } = await dataFile(t, 300_001, 11);
    const missing = await startTestServer(t, (_req, res) => res.writeHead(404).end());
    const { file, meta } = await torrentFile(dir, path, { webSeeds: [`${missing.url}data.bin`] });
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true });
    const { done, events } = await get([file, '-o', join(dir, 'out'), '--peer', `127.0.0.1:${seed.listenPort}`]);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.equal(done.webSeedBytes, 0);
    // The first 404 marks the file missing on that seed for a long time; only requests already in flight (at most
    // the cap of 2) can reach it.
    assert.ok(missing.hits.length >= 1 && missing.hits.length <= 2, `404 seed asked ${missing.hits.length} times`);
    const warnings = events.filter((e) => e.event === 'webseed:warning');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!.code, 'WEBSEED_MISSING');
  });

  it('a web seed answering 500 next to a live peer: backed off, not retried in a tight loop; one warning line on stderr', async (t) => {
    const { dir, body, path } = await dataFile(t, 300_001, 13);
    const broken = await startTestServer(t, (_req, res) => res.writeHead(500).end('broken'));
    const { file, meta } = await torrentFile(dir, path, { webSeeds: [`${broken.url}data.bin`] });
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true });
    const r = await tandem(['get', file, '-o', join(dir, 'out'), '--peer', `127.0.0.1:${seed.listenPort}`, '--no-dht'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    // Backoff of 1 s doubling after each failure: a handful of requests however long the download takes here.
    assert.ok(broken.hits.length >= 1 && broken.hits.length <= 8, `500 seed asked ${broken.hits.length} times`);
    const lines = r.stderr.split('\n').filter((l) => l.includes('web seed'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /HTTP 500.*backing off/);
  });

  it('requests in flight to a web seed never exceed --webseed-max-requests', async (t) => {
    const { dir, body, path } = await dataFile(t, 400_000, 5);
    const origin = await startSlowOrigin(t, body, 40);
    const { file, meta } = await torrentFile(dir, path, { webSeeds: [`${origin.url}data.bin`] });
    const { done } = await get([file, '-o', join(dir, 'out'), '--webseed-max-requests', '3']);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.equal(done.webSeedBytes, meta.totalLengthBytes);
    assert.equal(origin.hits.length, meta.pieceCount, 'one ranged GET per piece, none repeated');
    assert.ok(origin.maxConcurrent <= 3, `${origin.maxConcurrent} requests were in flight at once`);
    // The slots are used: requests start together, each answered 40 ms later.
    assert.ok(origin.maxConcurrent >= 2, `only ${origin.maxConcurrent} request in flight at a time`);
  });

  it('two web seeds share one download, no piece asked of both; an unusable url-list entry is one warning', async (t) => {
    const { dir, body, path } = await dataFile(t, 250_000, 17);
    const a = await startSlowOrigin(t, body, 10);
    const b = await startSlowOrigin(t, body, 10);
    const { file, meta } = await torrentFile(dir, path, { webSeeds: ['ftp://127.0.0.1/data.bin', `${a.url}data.bin`, `${b.url}data.bin`] });
    const { done, events } = await get([file, '-o', join(dir, 'out')]);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.equal(done.webSeedBytes, meta.totalLengthBytes);
    assert.ok(a.hits.length > 0 && b.hits.length > 0, `hits: ${a.hits.length} and ${b.hits.length}`);
    assert.equal(a.hits.length + b.hits.length, meta.pieceCount, 'each piece asked of one seed once');
    const warnings = events.filter((e) => e.event === 'webseed:warning');
    assert.deepEqual(warnings.map((w) => w.code), ['WEBSEED_URL']);
  });

  it('a web seed that ignores Range: used for a small file (fetched whole, sliced), dropped for a big one', async (t) => {
    const dir = await tempDir(t);
    const small = patternBytes(100_000, 23);
    const big = patternBytes(1_500_000, 29);
    await writeFile(join(dir, 'small.bin'), small);
    await writeFile(join(dir, 'big.bin'), big);
    const whole = (body: Buffer) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-length': body.length }).end(body);
    const smallOrigin = await startTestServer(t, whole(small));
    const bigOrigin = await startTestServer(t, whole(big));

    const s = await torrentFile(dir, join(dir, 'small.bin'), { webSeeds: [`${smallOrigin.url}small.bin`] });
    const first = await get([s.file, '-o', join(dir, 'out-small')]);
    assert.ok(small.equals(await readFile(join(dir, 'out-small/small.bin'))));
    assert.equal(first.done.webSeedBytes, small.length);

    const b = await torrentFile(dir, join(dir, 'big.bin'), { webSeeds: [`${bigOrigin.url}big.bin`], pieceLengthBytes: 65_536 });
    const seed = await startTorrent(t, { metainfo: b.meta, dir, trustData: true });
    const second = await get([b.file, '-o', join(dir, 'out-big'), '--peer', `127.0.0.1:${seed.listenPort}`]);
    assert.ok(big.equals(await readFile(join(dir, 'out-big/big.bin'))));
    // The first answer shows Range is ignored; a 1.5 MB file is not fetched whole per piece, so the seed is dropped.
    assert.ok(bigOrigin.hits.length >= 1 && bigOrigin.hits.length <= 2, `${bigOrigin.hits.length} requests`);
    assert.deepEqual(second.events.filter((e) => e.event === 'webseed:warning').map((e) => e.code), ['WEBSEED_NO_RANGES']);
  });

  it('--no-webseeds never contacts the web seed; --webseed-max-requests is checked', async (t) => {
    const { dir, body, path } = await dataFile(t, 100_000, 3);
    const origin = await startSlowOrigin(t, body, 0);
    const { file, meta } = await torrentFile(dir, path, { webSeeds: [`${origin.url}data.bin`] });
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true });
    const { done } = await get([file, '-o', join(dir, 'out'), '--peer', `127.0.0.1:${seed.listenPort}`, '--no-webseeds']);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.equal(done.webSeedBytes, 0);
    assert.equal(origin.hits.length, 0);
    const bad = await tandem(['get', file, '-o', join(dir, 'out2'), '--no-dht', '--webseed-max-requests', '0']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--webseed-max-requests: "0" is not a count from 1 to 64/);
  });

  it("a magnet link's ws= web seed is used once metadata arrives from a peer", async (t) => {
    const { dir, body, path } = await dataFile(t, 300_000, 9);
    const origin = await startSlowOrigin(t, body, 0);
    const { meta } = await torrentFile(dir, path);
    // A slow peer: it gives the metadata, but the web seed is there from the moment the metadata is known.
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true, uploadLimitBytesPerSec: 64 * 1024 });
    const magnet = `magnet:?xt=urn:btih:${meta.infoHashV1!.toString('hex')}&dn=data.bin&ws=${encodeURIComponent(`${origin.url}data.bin`)}&x.pe=127.0.0.1:${seed.listenPort}`;
    const { done } = await get([magnet, '-o', join(dir, 'out')]);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.ok((done.webSeedBytes as number) > 0, 'the ws= seed sent pieces');
    assert.ok(origin.hits.length > 0);
  });

  it('--download-limit holds for pieces from a web seed', async (t) => {
    const dir = await tempDir(t);
    const sample = await makeSampleTree(join(dir, 'src'));
    const base = await startTandemServe(t, join(dir, 'src'));
    const path = join(sample, 'c/d/e/f.bin');
    const { file } = await torrentFile(dir, path, { webSeeds: [`${base}sample/c/d/e/f.bin`] });
    const started = Date.now();
    await get([file, '-o', join(dir, 'out'), '--download-limit', '48KiB']);
    // 200,000 bytes at 48 KiB/s after a 64 KiB burst take at least 2.7 s; unlimited, this is a few ms of transfer.
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds >= 2.5, `took ${seconds} s`);
    await assertSameTree(path, join(dir, 'out/f.bin'));
  });
});
