// Hostile traffic at a running tracker: mutated announce queries, raw garbage over TCP, and mutated or random UDP
// packets. Afterwards the server must still answer well-formed requests over both transports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { request } from 'node:http';
import { encodeAnnounce, encodeConnect, encodeScrape, decodeResponse } from '../../src/tracker/bep15-udp.js';
import { buildAnnounceUrl } from '../../src/tracker/http-codec.js';
import { httpAnnounce, TrackerServer, UdpTrackerClient } from '../../src/tracker/index.js';
import { xorshift } from '../helpers/rng.js';

const IH = Buffer.alloc(20, 0x5a);

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    // A path Node itself refuses to send, or a closed socket, is part of the noise.
    r.on('error', () => resolve(-1));
    r.on('timeout', () => r.destroy());
    r.end();
  });
}

function rawTcp(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end(bytes));
    s.on('data', () => {});
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.setTimeout(3000, () => s.destroy());
  });
}

test('fuzz: malformed HTTP queries, raw TCP garbage and bad UDP packets never break the tracker', async (t) => {
  const server = new TrackerServer({ http: { host: '127.0.0.1', port: 0 }, udp: { host: '127.0.0.1', port: 0 } });
  const { http, udp } = await server.start();
  t.after(() => server.stop());
  const rand = xorshift(0x7ac3);
  const good = buildAnnounceUrl('/announce', { infoHash: IH, peerId: Buffer.alloc(20, 1), port: 6881, uploaded: 0, downloaded: 0, left: 5, event: 'started', numwant: 10 });
  const alphabet = '%&=?+/0123456789abcdefxyzAZ_-.~\u00ff ';
  // HTTP: mutate a good query (replace, insert, delete characters), in batches of parallel requests.
  for (let round = 0; round < 25; round++) {
    const batch: Promise<number>[] = [];
    for (let i = 0; i < 16; i++) {
      const chars = [...good];
      const edits = 1 + (rand() % 6);
      for (let e = 0; e < edits; e++) {
        const at = rand() % chars.length;
        const c = alphabet[rand() % alphabet.length]!;
        const op = rand() % 3;
        if (op === 0) chars[at] = c;
        else if (op === 1) chars.splice(at, 0, c);
        else chars.splice(at, 1);
      }
      batch.push(get(http!.port, chars.join('').replace(/ /g, '%20')));
    }
    const statuses = await Promise.all(batch);
    for (const s of statuses) assert.ok(s === -1 || s === 200 || s === 400 || s === 404, `unexpected status ${s}`);
  }
  for (const junk of [Buffer.from('GET /announce?' + 'a'.repeat(20_000) + ' HTTP/1.1\r\n\r\n'), Buffer.from('\x00\x01\x02garbage\r\n\r\n'), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'), Buffer.alloc(70_000, 0x41)]) {
    await rawTcp(http!.port, junk);
  }
  // UDP: random packets, and mutations of valid ones (with a live connection id so they get past the first check).
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const connected = new Promise<Buffer>((r) => sock.once('message', r));
  sock.send(encodeConnect(1), udp!.port, '127.0.0.1');
  const cid = (decodeResponse(await connected) as { connectionId: bigint }).connectionId;
  const seeds = [
    encodeConnect(2),
    encodeAnnounce({ connectionId: cid, transactionId: 3, infoHash: IH, peerId: Buffer.alloc(20, 2), downloaded: 0, left: 1, uploaded: 0, event: 'started', key: 1, numWant: 5, port: 7000, urlData: '/x/announce' }),
    encodeScrape(cid, 4, [IH, IH]),
  ];
  let answers = 0;
  sock.on('message', () => answers++);
  for (let i = 0; i < 3000; i++) {
    let pkt: Buffer;
    if (i % 4 === 0) {
      pkt = Buffer.alloc(rand() % 1500);
      for (let k = 0; k < pkt.length; k++) pkt[k] = rand() & 0xff;
    } else {
      pkt = Buffer.from(seeds[i % seeds.length]!);
      for (let e = 0; e < 1 + (rand() % 4); e++) pkt[16 + (rand() % (pkt.length - 16))] = rand() & 0xff;
      if (rand() % 5 === 0) pkt = pkt.subarray(0, rand() % pkt.length);
    }
    sock.send(pkt, udp!.port, '127.0.0.1');
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  // The server still answers, correctly, over both transports. On a torrent of its own: the fuzzed announces that
  // got through put hundreds of peers in IH's swarm, and a reply lists 50 of them at random.
  const fresh = Buffer.alloc(20, 0x5c);
  const c = new UdpTrackerClient(`udp://127.0.0.1:${udp!.port}/announce`, { retryBaseMs: 300, maxRetries: 3 });
  t.after(() => c.close());
  const viaUdp = await c.announce({ infoHash: fresh, peerId: Buffer.alloc(20, 9), port: 9999, uploaded: 0, downloaded: 0, left: 1, event: 'started' });
  assert.ok(viaUdp.intervalS > 0);
  const viaHttp = await httpAnnounce(`http://127.0.0.1:${http!.port}/announce`, { infoHash: fresh, peerId: Buffer.alloc(20, 8), port: 8888, uploaded: 0, downloaded: 0, left: 0, event: 'started' });
  assert.ok(viaHttp.peers.some((p) => p.port === 9999));
  assert.ok(answers > 0, 'the fuzzed packets that carried a transaction id were answered with errors');
  const metrics = await (await fetch(`http://127.0.0.1:${http!.port}/metrics`)).text();
  assert.match(metrics, /tandem_tracker_errors_total\{code="TRACKER_BAD_PACKET"\} \d+/);
  assert.match(metrics, /tandem_tracker_errors_total\{code="TRACKER_BAD_INFO_HASH"\} \d+/);
  assert.doesNotMatch(metrics, /code="INTERNAL"/, 'no request hit an unexpected exception');
});
