// Hostile input against a live node: garbage, oversized packets, unsolicited responses, bad arguments and tokens,
// floods. Everything is dropped or answered with the right KRPC error, counted, and the node keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { encode } from '../../src/bencode/index.js';
import { DhtNode } from '../../src/dht/index.js';
import { decodeMessage, encodeQuery, encodeResponse, type KrpcMessage } from '../../src/dht/krpc.js';
import { asNodeId } from '../../src/dht/node-id.js';

interface Client {
  socket: Socket;
  send(d: Buffer): void;
  /** Messages received so far. */
  inbox: KrpcMessage[];
  waitFor(pred: (m: KrpcMessage) => boolean, timeoutMs?: number): Promise<KrpcMessage>;
}

async function client(t: { after: (fn: () => void) => void }, host: string, to: number): Promise<Client> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, host, r));
  t.after(() => socket.close());
  const inbox: KrpcMessage[] = [];
  socket.on('message', (m) => inbox.push(decodeMessage(m)));
  return {
    socket,
    inbox,
    send: (d) => socket.send(d, to, '127.0.0.1'),
    waitFor: async (pred, timeoutMs = 3_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = inbox.find(pred);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no matching message within ${timeoutMs} ms; inbox: ${inbox.length}`);
    },
  };
}

const me = asNodeId(Buffer.alloc(20, 0xee));
const tid = (s: string): Buffer => Buffer.from(s);

test('malformed, oversized and unsolicited datagrams are dropped and counted; bad queries get 203/204', async (t) => {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [], rateLimitPerSecond: 1_000, rateLimitBurst: 10_000 });
  await node.start();
  t.after(() => node.stop());
  const port = node.address()!.port;
  const c = await client(t, '127.0.0.1', port);

  for (let i = 0; i < 200; i++) c.send(randomBytes(1 + (i % 120)));
  c.send(Buffer.alloc(5_000, 0x64)); // 'ddd...': over maxPacketBytes, never decoded
  c.send(encodeResponse(tid('zz'), { id: me, nodes: [{ id: me, host: '127.0.0.1', port: 1 }] })); // we asked nothing
  c.send(encode({ t: 'u1', y: 'q', q: 'frobnicate', a: { id: me } }));
  c.send(encode({ t: 'b1', y: 'q', q: 'find_node', a: { id: me, target: 'short' } }));
  c.send(encodeQuery(tid('a1'), me, { q: 'announce_peer', infoHash: Buffer.alloc(20, 1), port: 80, impliedPort: false, token: Buffer.from('forged!!') }));
  c.send(encodeQuery(tid('p1'), me, { q: 'ping' }));

  const unknown = await c.waitFor((m) => m.t.toString() === 'u1');
  assert.ok(unknown.y === 'e' && unknown.code === 204, JSON.stringify(unknown));
  const bad = await c.waitFor((m) => m.t.toString() === 'b1');
  assert.ok(bad.y === 'e' && bad.code === 203);
  const forged = await c.waitFor((m) => m.t.toString() === 'a1');
  assert.ok(forged.y === 'e' && forged.code === 203 && /token/.test(forged.message));
  const pong = await c.waitFor((m) => m.t.toString() === 'p1');
  assert.ok(pong.y === 'r' && pong.id.equals(node.id), 'still answering after the garbage');

  const s = node.stats();
  assert.equal(s.counters.droppedOversized, 1);
  assert.equal(s.counters.droppedUnsolicited, 1);
  assert.ok(s.counters.droppedMalformed >= 195, `malformed: ${s.counters.droppedMalformed}`);
  assert.equal(s.storedPeers, 0, 'a forged token stores nothing');
});

test('a valid token from get_peers lets the same IP announce; a token is bound to the IP', async (t) => {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [] });
  await node.start();
  t.after(() => node.stop());
  const port = node.address()!.port;
  const a = await client(t, '127.0.0.1', port);
  const b = await client(t, '127.0.0.2', port);
  const ih = Buffer.alloc(20, 7);
  a.send(encodeQuery(tid('g1'), me, { q: 'get_peers', infoHash: ih }));
  const got = await a.waitFor((m) => m.t.toString() === 'g1');
  assert.ok(got.y === 'r' && got.token);
  b.send(encodeQuery(tid('x1'), asNodeId(Buffer.alloc(20, 0xbb)), { q: 'announce_peer', infoHash: ih, port: 9, impliedPort: false, token: got.token }));
  const refused = await b.waitFor((m) => m.t.toString() === 'x1');
  assert.ok(refused.y === 'e' && refused.code === 203, 'another IP cannot use the token');
  a.send(encodeQuery(tid('x2'), me, { q: 'announce_peer', infoHash: ih, port: 9, impliedPort: false, token: got.token }));
  assert.equal((await a.waitFor((m) => m.t.toString() === 'x2')).y, 'r');
  a.send(encodeQuery(tid('g2'), me, { q: 'get_peers', infoHash: ih }));
  const again = await a.waitFor((m) => m.t.toString() === 'g2');
  assert.ok(again.y === 'r');
  assert.deepEqual(again.values, [{ host: '127.0.0.1', port: 9 }]);
});

test('a flood from one address is rate limited; other addresses are still served', async (t) => {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [], rateLimitPerSecond: 20, rateLimitBurst: 40 });
  await node.start();
  t.after(() => node.stop());
  const port = node.address()!.port;
  const flooder = await client(t, '127.0.0.1', port);
  const other = await client(t, '127.0.0.2', port);
  const started = Date.now();
  for (let batch = 1; batch <= 10; batch++) {
    for (let i = (batch - 1) * 100; i < batch * 100; i++) flooder.send(encodeQuery(Buffer.from([i >> 8, i & 0xff]), me, { q: 'ping' }));
    // Wait until the node has read the batch (bounded), so a slow machine's socket buffer never drops the flood.
    const deadline = Date.now() + 10_000;
    while (node.stats().counters.datagramsIn < batch * 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  const elapsedS = (Date.now() - started) / 1000;
  other.send(encodeQuery(tid('ok'), me, { q: 'ping' }));
  assert.equal((await other.waitFor((m) => m.t.toString() === 'ok')).y, 'r');
  const c = node.stats().counters;
  assert.equal(c.datagramsIn, 1_001);
  const answered = c.queriesAnswered - 1; // all but the other address's ping went to the flooder
  // The burst of 40, plus 20 a second for as long as the flood lasted: everything else was dropped and counted.
  assert.ok(answered >= 40 && answered <= 40 + Math.ceil(20 * elapsedS) + 1, `answered ${answered} of 1000 in ${elapsedS} s`);
  assert.equal(c.droppedRateLimited, 1_000 - answered);
});

test('announce floods are capped in memory: peers per info hash and info hashes', async (t) => {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [], maxPeersPerInfoHash: 10, maxInfoHashes: 20, rateLimitBurst: 100_000, rateLimitPerSecond: 100_000 });
  await node.start();
  t.after(() => node.stop());
  const c = await client(t, '127.0.0.1', node.address()!.port);
  c.send(encodeQuery(tid('g'), me, { q: 'get_peers', infoHash: Buffer.alloc(20) }));
  const { token } = (await c.waitFor((m) => m.t.toString() === 'g')) as { token: Buffer };
  for (let i = 0; i < 500; i++) {
    const ih = Buffer.alloc(20, i % 50);
    c.send(encodeQuery(Buffer.from([i >> 8, i & 0xff]), me, { q: 'announce_peer', infoHash: ih, port: 1000 + i, impliedPort: false, token }));
    if (i % 50 === 49) await c.waitFor(() => c.inbox.length >= i + 2, 5_000);
  }
  const s = node.stats();
  assert.ok(s.storedInfoHashes <= 20, `info hashes: ${s.storedInfoHashes}`);
  assert.ok(s.storedPeers <= 20 * 10, `peers: ${s.storedPeers}`);
  assert.ok(s.storedPeers >= 20);
});

test('fuzz against a live node: mutated queries never stop it answering', async (t) => {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [], rateLimitBurst: 100_000, rateLimitPerSecond: 100_000 });
  await node.start();
  t.after(() => node.stop());
  const c = await client(t, '127.0.0.1', node.address()!.port);
  c.socket.removeAllListeners('message');
  let replies = 0;
  c.socket.on('message', () => replies++);
  const seeds = [
    encodeQuery(tid('f'), me, { q: 'find_node', target: Buffer.alloc(20, 3) }),
    encodeQuery(tid('g'), me, { q: 'get_peers', infoHash: Buffer.alloc(20, 4) }, { want: [4, 6] }),
    encodeQuery(tid('a'), me, { q: 'announce_peer', infoHash: Buffer.alloc(20, 4), port: 1, impliedPort: true, token: Buffer.from('12345678') }),
  ];
  for (let i = 0; i < 3_000; i++) {
    const d = Buffer.from(seeds[i % seeds.length]!);
    for (let k = 0; k < 1 + (i % 3); k++) d[(i * 7919 + k * 104729) % d.length] = (i * 31 + k) & 0xff;
    c.send(d);
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
  const probe = await client(t, '127.0.0.1', node.address()!.port);
  // The node may still be working through the flood, whose datagrams can fill its socket's receive buffer and push a
  // lone ping out (UDP drops, it does not queue): the probe resends every 500 ms, as a real DHT client would, for 10 s.
  let answer: KrpcMessage | undefined;
  for (let attempt = 0; attempt < 20 && !answer; attempt++) {
    probe.send(encodeQuery(tid('alive'), me, { q: 'ping' }));
    answer = await probe.waitFor((m) => m.t.toString() === 'alive', 500).catch(() => undefined);
  }
  assert.equal(answer?.y, 'r', 'the node answers a ping after the fuzz');
  assert.ok(replies > 0);
  assert.ok(node.stats().counters.droppedMalformed > 0);
});
