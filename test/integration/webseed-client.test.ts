// WebSeed, the I/O shell, against in-test servers that misbehave in one precise way each: every answer that is
// not exactly the bytes asked for must end in a typed error, with the request slot given back.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Metainfo } from '../../src/metainfo/index.js';
import { WebSeed, WebSeedError, type WebSeedErrorCode, type WebSeedInit } from '../../src/webseed/index.js';
import { freeTcpPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';
import { makeTorrent, startTestServer } from '../helpers/webseed-servers.js';

type T = Parameters<typeof tempDir>[0];
const CONTENT = patternBytes(100_000, 3);

async function fixture(t: T): Promise<Metainfo> {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'data.bin'), CONTENT);
  return makeTorrent(join(dir, 'data.bin'), { webSeeds: [] });
}

function requested(req: IncomingMessage): [number, number] {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [0, CONTENT.length - 1];
}

/** A correct 206 answer, for servers that misbehave only sometimes. */
function partial(req: IncomingMessage, res: ServerResponse): void {
  const [a, b] = requested(req);
  res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}`, 'content-length': String(b - a + 1) }).end(CONTENT.subarray(a, b + 1));
}

async function seedFor(t: T, handler: Parameters<typeof startTestServer>[1], init: Partial<WebSeedInit> = {}) {
  const meta = await fixture(t);
  const server = await startTestServer(t, handler);
  const seed = new WebSeed({ url: server.url + 'data.bin', meta, ...init });
  await seed.start();
  t.after(() => seed.stop());
  return { meta, server, seed };
}

const rejectsWith = (p: Promise<unknown>, code: WebSeedErrorCode, re?: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof WebSeedError && e.code === code && (!re || re.test(e.message)));

describe('WebSeed client', () => {
  it('fetches a piece and a block with exact ranges, reusing one keep-alive connection', async (t) => {
    const sockets = new Set<unknown>();
    const { seed, server } = await seedFor(t, (req, res) => {
      sockets.add(req.socket);
      partial(req, res);
    });
    assert.deepEqual(await seed.fetchPiece(1), CONTENT.subarray(16_384, 32_768));
    assert.deepEqual(await seed.fetchPiece(6), CONTENT.subarray(6 * 16_384));
    assert.deepEqual(await seed.fetchBlock(2, 100, 50), CONTENT.subarray(32_868, 32_918));
    assert.deepEqual(server.hits.map((h) => h.range), ['bytes=16384-32767', 'bytes=98304-99999', 'bytes=32868-32917']);
    assert.equal(sockets.size, 1);
  });

  const lies: [string, (req: IncomingMessage, res: ServerResponse) => void, WebSeedErrorCode, RegExp][] = [
    ['a Content-Range for other bytes', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a + 1}-${b + 1}/${CONTENT.length}` }).end(CONTENT.subarray(a + 1, b + 2));
    }, 'WEBSEED_BAD_RESPONSE', /asked bytes/],
    ['a 206 without Content-Range', (_req, res) => res.writeHead(206).end('x'), 'WEBSEED_BAD_RESPONSE', /Content-Range/],
    ['a file of another length', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length + 1}` }).end(CONTENT.subarray(a, b + 1));
    }, 'WEBSEED_BAD_RESPONSE', /the torrent says/],
    ['a body longer than the range (chunked, no length)', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}` });
      res.write(CONTENT.subarray(a, b + 1));
      res.end(Buffer.alloc(1000));
    }, 'WEBSEED_BAD_RESPONSE', /longer/],
    ['a body shorter than the range', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}` }).end(CONTENT.subarray(a, b - 10));
    }, 'WEBSEED_BAD_RESPONSE', /ended after/],
    ['a Content-Length that disagrees with the range', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}`, 'content-length': '5' }).end('12345');
    }, 'WEBSEED_BAD_RESPONSE', /Content-Length/],
    ['a compressed body never asked for', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}`, 'content-encoding': 'gzip' }).end(CONTENT.subarray(a, b + 1));
    }, 'WEBSEED_BAD_RESPONSE', /Content-Encoding/],
    ['a 403', (_req, res) => res.writeHead(403).end(), 'WEBSEED_STATUS', /HTTP 403/],
    ['a 404', (_req, res) => res.writeHead(404).end(), 'WEBSEED_MISSING', /not on this seed/],
    ['a redirect loop', (_req, res) => res.writeHead(302, { location: '/data.bin' }).end(), 'WEBSEED_STATUS', /redirects/],
    ['a redirect to another scheme', (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end(), 'WEBSEED_STATUS', /refused/],
    ['a connection reset mid-body', (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}`, 'content-length': String(b - a + 1) });
      res.write(CONTENT.subarray(a, a + 100), () => req.socket.destroy());
    }, 'WEBSEED_NETWORK', /./],
  ];
  for (const [what, handler, code, re] of lies) {
    it(`answers ${what} with ${code}, and frees the slot`, async (t) => {
      const { seed } = await seedFor(t, handler);
      await rejectsWith(seed.fetchPiece(0), code, re);
      assert.equal(seed.health.inFlight, 0);
    });
  }

  it('a 503 with Retry-After backs the seed off for that long; later calls fail fast as unavailable', async (t) => {
    const { seed, server } = await seedFor(t, (_req, res) => res.writeHead(503, { 'retry-after': '120' }).end());
    const before = Date.now();
    await rejectsWith(seed.fetchPiece(0), 'WEBSEED_STATUS', /503/);
    assert.ok(seed.health.retryAtMs >= before + 120_000);
    assert.equal(seed.blocker(1), 'backoff');
    await rejectsWith(seed.fetchPiece(1), 'WEBSEED_UNAVAILABLE', /backoff/);
    assert.equal(server.hits.length, 1, 'no request sent while backed off');
  });

  it('follows a redirect to the real file', async (t) => {
    const { seed, server } = await seedFor(t, (req, res) => {
      if (req.url === '/data.bin') res.writeHead(307, { location: '/mirror/data.bin' }).end();
      else partial(req, res);
    });
    assert.deepEqual(await seed.fetchPiece(3), CONTENT.subarray(3 * 16_384, 4 * 16_384));
    assert.deepEqual(server.hits.map((h) => h.path), ['/data.bin', '/mirror/data.bin']);
  });

  it('times out a server that accepts and never answers, and one that stalls mid-body', async (t) => {
    const silent = await seedFor(t, () => undefined, { idleTimeoutMs: 200 });
    await rejectsWith(silent.seed.fetchPiece(0), 'WEBSEED_TIMEOUT');
    const stalling = await seedFor(t, (req, res) => {
      const [a, b] = requested(req);
      res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${CONTENT.length}`, 'content-length': String(b - a + 1) });
      res.write(CONTENT.subarray(a, a + 10));
    }, { idleTimeoutMs: 200 });
    await rejectsWith(stalling.seed.fetchPiece(0), 'WEBSEED_TIMEOUT');
    assert.equal(stalling.seed.health.consecutiveFailures, 1);
  });

  it('caps requests in flight at maxInFlightPerSeed; extra calls wait for a slot', async (t) => {
    let seenInFlight = 0;
    const { seed, server } = await seedFor(t, (req, res) => setTimeout(() => partial(req, res), 30), { maxInFlight: 2 });
    const pieces = await Promise.all(Array.from({ length: 7 }, (_, i) => {
      const p = seed.fetchPiece(i);
      seenInFlight = Math.max(seenInFlight, seed.health.inFlight);
      return p;
    }));
    assert.equal(seenInFlight, 2, 'the policy holds the others back (the agent alone would queue them invisibly)');
    pieces.forEach((p, i) => assert.deepEqual(p, CONTENT.subarray(i * 16_384, (i + 1) * 16_384)));
    assert.equal(server.maxConcurrent, 2);
    assert.equal(server.hits.length, 7);
  });

  it('an AbortSignal cancels a request in flight and a caller waiting for a slot, at no cost to the seed', async (t) => {
    const { seed } = await seedFor(t, () => undefined, { maxInFlight: 1 });
    const ac = new AbortController();
    const inFlight = seed.fetchPiece(0, { signal: ac.signal });
    const waiting = seed.fetchPiece(1, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await rejectsWith(inFlight, 'WEBSEED_ABORTED');
    await rejectsWith(waiting, 'WEBSEED_ABORTED', /slot/);
    assert.equal(seed.health.inFlight, 0);
    assert.equal(seed.health.consecutiveFailures, 0);
  });

  it('stop() aborts what is in flight; fetching before start() or after stop() is a typed error', async (t) => {
    const { seed, meta } = await seedFor(t, () => undefined);
    const pending = seed.fetchPiece(0);
    await new Promise((r) => setTimeout(r, 30));
    await seed.stop();
    await rejectsWith(pending, 'WEBSEED_ABORTED');
    await rejectsWith(seed.fetchPiece(0), 'WEBSEED_NOT_STARTED');
    const fresh = new WebSeed({ url: 'http://127.0.0.1:9/x', meta });
    await rejectsWith(fresh.fetchPiece(0), 'WEBSEED_NOT_STARTED');
  });

  it('a refused connection is a network error and backs the seed off', async (t) => {
    const meta = await fixture(t);
    // A port that was free a moment ago: nothing listens there, so the connection is refused at once.
    const seed = new WebSeed({ url: `http://127.0.0.1:${await freeTcpPort()}/data.bin`, meta });
    await seed.start();
    t.after(() => seed.stop());
    await rejectsWith(seed.fetchPiece(0), 'WEBSEED_NETWORK', /ECONNREFUSED/);
    assert.equal(seed.blocker(0), 'backoff');
  });
});
