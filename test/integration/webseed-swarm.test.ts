// Web seeds and peers in one torrent, in process on loopback: a seed fetch that peers beat is aborted, pieces a
// stalled peer sits on go to the web seed, and a seed that sends bad data is reported and backed off.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import type * as http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTorrent, type Metainfo } from '../../src/metainfo/index.js';
import type { Torrent } from '../../src/swarm/index.js';
import { startLyingSeed, startTorrent, whenDone } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';
import { startTestServer } from '../helpers/webseed-servers.js';

type T = Parameters<typeof tempDir>[0];

async function oneFile(t: T, bytes: number, webSeed: string): Promise<{ dir: string; meta: Metainfo; body: Buffer }> {
  const dir = await tempDir(t);
  const body = patternBytes(bytes, 21);
  await writeFile(join(dir, 'data.bin'), body);
  const { metainfo } = await createTorrent(join(dir, 'data.bin'), { pieceLengthBytes: 16_384, creationDate: null, workers: 1, webSeeds: [webSeed] });
  return { dir, meta: metainfo, body };
}

/** A range-honouring origin for `body()` (set later, once the test has made the file), each answer after `delayMs`. */
async function origin(t: T, body: () => Buffer, delayMs: number): ReturnType<typeof startTestServer> {
  return startTestServer(t, (req: http.IncomingMessage, res: http.ServerResponse) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const timer = setTimeout(() => {
      const b = body();
      const first = m ? Number(m[1]) : 0;
      const last = m ? Math.min(Number(m[2]), b.length - 1) : b.length - 1;
      res.writeHead(m ? 206 : 200, { 'content-length': last - first + 1, ...(m ? { 'content-range': `bytes ${first}-${last}/${b.length}` } : {}) });
      res.end(b.subarray(first, last + 1));
    }, delayMs);
    res.once('close', () => clearTimeout(timer));
  });
}

async function leecher(t: T, meta: Metainfo, dir: string, peers: number[], config: Parameters<typeof startTorrent>[1]['config']): Promise<Torrent> {
  return startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: peers.map((port) => ({ host: '127.0.0.1', port })), config });
}

describe('web seeds beside peers in one torrent', () => {
  it('a web-seed fetch that peers deliver first is aborted, and the slot freed', async (t) => {
    let closed = 0;
    // An origin that takes every request and never answers.
    const hanging = await startTestServer(t, (_req, res) => res.once('close', () => closed++));
    const { dir, meta, body } = await oneFile(t, 300_000, `${hanging.url}data.bin`);
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true });
    const l = await leecher(t, meta, dir, [seed.listenPort], { webSeedGraceMs: 500 });
    await whenDone(l, 30_000);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    // No peer was useful at the start, so the seed was asked at once (its two slots); after the grace period the
    // peer was let at those pieces too, delivered them, and the seed's requests were aborted.
    assert.ok(hanging.hits.length >= 1 && hanging.hits.length <= 2, `${hanging.hits.length} requests`);
    assert.equal(l.webSeeds.stats.lostToPeers, hanging.hits.length);
    assert.equal(l.webSeeds.stats.pieces, 0);
    for (let i = 0; closed < hanging.hits.length && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed, hanging.hits.length, 'every aborted request was closed at the origin');
  });

  it('pieces a peer was asked for and sits on (never answers) go to the web seed after the grace period', async (t) => {
    let body: Buffer = Buffer.alloc(0);
    const slow = await origin(t, () => body, 100);
    const made = await oneFile(t, 40 * 16_384 - 123, `${slow.url}data.bin`);
    body = made.body;
    const silent = await startLyingSeed(t, made.meta, 'silent');
    // Requests to the silent peer would time out only after a minute: only the web seed can finish in time.
    const l = await leecher(t, made.meta, made.dir, [silent.port], { webSeedGraceMs: 500, requestTimeoutMs: 60_000, snubTimeoutMs: 60_000 });
    await whenDone(l, 25_000);
    assert.ok(body.equals(await readFile(join(made.dir, 'out/data.bin'))));
    assert.equal(l.webSeeds.stats.pieces, made.meta.pieceCount);
    assert.ok(silent.requestsSeen() > 0, 'the silent peer was asked');
    assert.ok(l.webSeeds.stats.takenFromIdlePeers > 0, JSON.stringify(l.webSeeds.stats));
  });

  it('a web seed that sends wrong bytes is reported (backed off, one warning); the peer completes the download', async (t) => {
    const wrong = patternBytes(300_000, 99);
    const liar = await origin(t, () => wrong, 0);
    const { dir, meta, body } = await oneFile(t, 300_000, `${liar.url}data.bin`);
    const seed = await startTorrent(t, { metainfo: meta, dir, trustData: true });
    const l = await leecher(t, meta, dir, [seed.listenPort], {});
    const warnings: string[] = [];
    l.webSeeds.on('warning', (w) => warnings.push(w.code));
    await whenDone(l, 30_000);
    assert.ok(body.equals(await readFile(join(dir, 'out/data.bin'))));
    assert.ok(l.webSeeds.stats.badPieces >= 1);
    assert.equal(l.webSeeds.stats.pieces, 0);
    assert.deepEqual(warnings, ['WEBSEED_HASH'], 'one warning, however many bad pieces');
    // Each bad piece backs the seed off (1 s, doubling): it is not asked in a tight loop.
    assert.ok(liar.hits.length <= 8, `${liar.hits.length} requests to the lying seed`);
  });
});
