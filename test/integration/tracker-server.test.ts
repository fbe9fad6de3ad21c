// The tracker server over real loopback sockets, driven by tandem's own tracker clients and by raw requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpAnnounce, httpScrape, TrackerError, TrackerServer, UdpTrackerClient, type AnnounceRequest, type TrackerServerInit } from '../../src/tracker/index.js';
import { encodeAnnounce, encodeConnect, decodeResponse } from '../../src/tracker/bep15-udp.js';
import { percentEncodeBytes } from '../../src/tracker/http-codec.js';
import { tempDir } from '../helpers/tmp.js';

const IH = Buffer.alloc(20, 0x11);

function pid(n: number): Buffer {
  const b = Buffer.alloc(20, 0x2d);
  b.writeUInt32BE(n, 16);
  return b;
}

function req(n: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: IH, peerId: pid(n), port: 10_000 + n, uploaded: 0, downloaded: 0, left: 100, event: 'started', ...over };
}

async function start(t: { after: (fn: () => Promise<void>) => void }, init: Partial<TrackerServerInit> = {}, host = '127.0.0.1') {
  const server = new TrackerServer({ http: { host, port: 0 }, udp: { host, port: 0 }, ...init });
  const a = await server.start();
  t.after(() => server.stop());
  const h = host.includes(':') ? `[${host}]` : host;
  return { server, http: `http://${h}:${a.http!.port}/announce`, udp: `udp://${h}:${a.udp!.port}/announce`, httpBase: `http://${h}:${a.http!.port}`, udpPort: a.udp!.port };
}

function udpClient(t: { after: (fn: () => void) => void }, url: string): UdpTrackerClient {
  const c = new UdpTrackerClient(url, { retryBaseMs: 200, maxRetries: 2 });
  t.after(() => c.close());
  return c;
}

test('HTTP and UDP announces meet in one swarm; scrapes agree', async (t) => {
  const s = await start(t);
  const r1 = await httpAnnounce(s.http, req(1, { left: 0 }));
  assert.deepEqual([r1.complete, r1.incomplete, r1.peers.length], [1, 0, 0]);
  const udp = udpClient(t, s.udp);
  const r2 = await udp.announce(req(2));
  assert.deepEqual(r2.peers, [{ host: '127.0.0.1', port: 10_001, family: 4 }]);
  assert.deepEqual([r2.complete, r2.incomplete], [1, 1]);
  const r3 = await httpAnnounce(s.http, req(3, { compact: false }));
  assert.deepEqual(r3.peers.map((p) => [p.port, p.peerId?.equals(pid(p.port - 10_000))]).sort(), [[10_001, true], [10_002, true]]);
  await httpAnnounce(s.http, req(2, { event: 'completed', left: 0 }));
  const expected = [{ infoHash: IH, complete: 2, downloaded: 1, incomplete: 1 }];
  assert.deepEqual(await httpScrape(s.http, [IH]), expected);
  assert.deepEqual(await udp.scrape([IH]), expected);
  await udp.announce(req(3, { event: 'stopped' }));
  assert.deepEqual(await udp.scrape([IH]), [{ infoHash: IH, complete: 2, downloaded: 1, incomplete: 0 }]);
});

test('IPv6: peers come back in peers6 over HTTP and as 18-byte entries over UDP (BEP 7, BEP 15)', async (t) => {
  const s = await start(t, {}, '::1');
  await httpAnnounce(s.http, req(1));
  const udp = udpClient(t, s.udp);
  const r = await udp.announce(req(2));
  assert.deepEqual(r.peers, [{ host: '::1', port: 10_001, family: 6 }]);
  const h = await httpAnnounce(s.http, req(3));
  assert.deepEqual(h.peers.map((p) => [p.host, p.family]), [['::1', 6], ['::1', 6]]);
});

test('numwant is capped by the server', async (t) => {
  const s = await start(t, { maxNumwant: 7 });
  for (let i = 0; i < 20; i++) await httpAnnounce(s.http, req(i));
  const r = await httpAnnounce(s.http, req(99, { numwant: 1_000_000 }));
  assert.equal(r.peers.length, 7);
  const u = await udpClient(t, s.udp).announce(req(98, { numwant: 2 ** 31 - 1 }));
  assert.equal(u.peers.length, 7);
});

test('peers that stop announcing expire', async (t) => {
  const s = await start(t, { peerTtlMs: 300, sweepEveryMs: 50 });
  await httpAnnounce(s.http, req(1));
  assert.equal((await httpScrape(s.http, [IH]))[0]!.incomplete, 1);
  let left = 1;
  for (let i = 0; i < 100 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    left = (await httpScrape(s.http, [IH]))[0]?.incomplete ?? 0;
  }
  assert.equal(left, 0);
});

test('private mode: an allow list and per-user passkeys over HTTP and UDP (BEP 41)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'allow'), `# allowed\n${IH.toString('hex')}\n`);
  await writeFile(join(dir, 'keys'), 'alice\nbob_2\n');
  const s = await start(t, { allowFile: join(dir, 'allow'), passkeyFile: join(dir, 'keys') });
  const base = s.http.replace('/announce', '');
  const ok = await httpAnnounce(`${base}/alice/announce`, req(1));
  assert.equal(ok.incomplete, 1);
  const code = (e: unknown): string => (e as TrackerError).code + ' ' + (e as Error).message;
  await assert.rejects(httpAnnounce(s.http, req(2)), (e) => /TRACKER_FAILURE.*passkey/.test(code(e)));
  await assert.rejects(httpAnnounce(`${base}/mallory/announce`, req(2)), (e) => /TRACKER_FAILURE.*passkey/.test(code(e)));
  await assert.rejects(httpAnnounce(`${base}/bob_2/announce`, req(2, { infoHash: Buffer.alloc(20, 9) })), (e) => /TRACKER_FAILURE.*not registered/.test(code(e)));
  const udpBase = s.udp.replace('/announce', '');
  const viaUdp = await udpClient(t, `${udpBase}/bob_2/announce`).announce(req(3));
  assert.equal(viaUdp.peers.length, 1);
  await assert.rejects(udpClient(t, s.udp).announce(req(4)), (e) => /TRACKER_FAILURE.*passkey/.test(code(e)));
});

test('the stats page and /metrics report the swarm', async (t) => {
  const s = await start(t);
  await httpAnnounce(s.http, req(1, { left: 0 }));
  await udpClient(t, s.udp).announce(req(2));
  await httpAnnounce(s.http.replace('announce', 'announce'), req(3, { infoHash: Buffer.alloc(19) })).catch(() => {});
  const metrics = await (await fetch(`${s.httpBase}/metrics`)).text();
  assert.match(metrics, /^tandem_tracker_torrents 1$/m);
  assert.match(metrics, /^tandem_tracker_peers\{state="seeder"\} 1$/m);
  assert.match(metrics, /^tandem_tracker_peers\{state="leecher"\} 1$/m);
  assert.match(metrics, /^tandem_tracker_announces_total\{transport="http"\} 1$/m);
  assert.match(metrics, /^tandem_tracker_announces_total\{transport="udp"\} 1$/m);
  assert.match(metrics, /^tandem_tracker_errors_total\{code="TRACKER_BAD_INFO_HASH"\} 1$/m);
  const page = await fetch(`${s.httpBase}/stats`);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await page.text(), /<th>seeders<\/th><td>1<\/td>/);
});

function rawGet(url: string, localAddress?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

test('a flood from one address is cut off while another address is still served', async (t) => {
  const s = await start(t, { rateLimitPerSecond: 5, rateLimitBurst: 5 });
  const q = `?info_hash=${percentEncodeBytes(IH)}&peer_id=${percentEncodeBytes(pid(1))}&port=1&left=0`;
  const statuses = [];
  for (let i = 0; i < 30; i++) statuses.push((await rawGet(s.http + q)).status);
  assert.ok(statuses.filter((x) => x === 429).length >= 20, `statuses: ${statuses.join(',')}`);
  const other = await rawGet(s.http + q, '127.0.0.2');
  assert.equal(other.status, 200);
  assert.match(other.body, /8:interval/);
  // UDP: the flood is dropped without an answer; another address still gets one.
  const flood = createSocket('udp4');
  t.after(() => flood.close());
  for (let i = 0; i < 50; i++) flood.send(encodeConnect(i), s.udpPort, '127.0.0.1');
  const other6 = createSocket('udp4');
  t.after(() => other6.close());
  await new Promise<void>((r) => other6.bind(0, '127.0.0.2', () => r()));
  const answer = new Promise<Buffer>((r) => other6.once('message', r));
  other6.send(encodeConnect(4242), s.udpPort, '127.0.0.1');
  assert.equal(decodeResponse(await answer).transactionId, 4242);
  const metrics = await (await rawGet(`${s.httpBase}/metrics`, '127.0.0.3')).body;
  assert.match(metrics, /tandem_tracker_rate_limited_total\{transport="udp"\} [1-9]/);
});

test('UDP: a wrong connection id gets a BEP 15 error, not an answer', async (t) => {
  const s = await start(t);
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  const reply = new Promise<Buffer>((r) => sock.once('message', r));
  sock.send(encodeAnnounce({ connectionId: 12345n, transactionId: 77, infoHash: IH, peerId: pid(1), downloaded: 0, left: 0, uploaded: 0, event: 'started', key: 0, numWant: 5, port: 1 }), s.udpPort, '127.0.0.1');
  const r = decodeResponse(await reply);
  assert.equal(r.action, 'error');
  assert.equal(r.transactionId, 77);
  assert.match(r.action === 'error' ? r.message : '', /connection id/);
});

test('HTTP: a silent connection is closed after the idle timeout, and announces go on being answered', async (t) => {
  const server = new TrackerServer({ http: { host: '127.0.0.1', port: 0, idleTimeoutMs: 300 } });
  const a = await server.start();
  t.after(() => server.stop());
  const silent = connect(a.http!.port, '127.0.0.1');
  t.after(() => silent.destroy());
  const openedMs = Date.now();
  // A slow client: half a request line, then nothing.
  silent.write('GET /announce?info_hash=');
  const closedAfterMs = await new Promise<number>((resolve, reject) => {
    const limit = setTimeout(() => reject(new Error('the silent connection was never closed')), 5_000);
    silent.once('close', () => {
      clearTimeout(limit);
      resolve(Date.now() - openedMs);
    });
  });
  assert.ok(closedAfterMs >= 250, `closed after ${closedAfterMs} ms, before the idle timeout`);
  const r = await httpAnnounce(`http://127.0.0.1:${a.http!.port}/announce`, req(1));
  assert.equal(r.incomplete, 1);
});
