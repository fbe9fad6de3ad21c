// A DHT of tandem nodes on loopback: bootstrap, announce, lookup, implied_port, save/load, IPv6, read-only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DhtNode, DhtPeerSource, type DhtOptions, type PeerAddress } from '../../src/dht/index.js';
import { tempDir } from '../helpers/tmp.js';

const infoHashOf = (text: string): Buffer => createHash('sha1').update(text).digest();

async function startNode(t: { after: (fn: () => Promise<void>) => void }, options: DhtOptions): Promise<DhtNode> {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, queryTimeoutMs: 500, ...options });
  await node.start();
  t.after(() => node.stop());
  return node;
}

async function network(t: { after: (fn: () => Promise<void>) => void }, size: number, extra: DhtOptions = {}): Promise<DhtNode[]> {
  const first = await startNode(t, { bootstrap: [], ...extra });
  const nodes = [first];
  const entry = `127.0.0.1:${first.address()!.port}`;
  for (let i = 1; i < size; i++) nodes.push(await startNode(t, { bootstrap: [entry], ...extra }));
  // Two rounds so that the early nodes also learn of the later ones.
  for (let round = 0; round < 2; round++) await Promise.all(nodes.map((n) => n.bootstrap()));
  return nodes;
}

async function collect(gen: AsyncGenerator<PeerAddress>): Promise<string[]> {
  const out: string[] = [];
  for await (const p of gen) out.push(`${p.host}:${p.port}`);
  return out;
}

test('eight tandem nodes: bootstrap fills the tables, an announce is found by a lookup from another node', async (t) => {
  const nodes = await network(t, 8);
  for (const n of nodes) assert.ok(n.stats().nodes[4]! >= 5, `node has ${n.stats().nodes[4]} nodes`);
  const ih = infoHashOf('loopback torrent');
  const result = await nodes[3]!.announce(ih, 5555);
  assert.ok(result.accepted >= 3, `accepted by ${result.accepted}`);
  const found = await collect(nodes[7]!.lookup(ih, { signal: AbortSignal.timeout(10_000) }));
  assert.deepEqual(found, ['127.0.0.1:5555']);
  // Nothing is found for an info hash nobody announced, and the lookup still ends.
  assert.deepEqual(await collect(nodes[5]!.lookup(infoHashOf('nobody'))), []);
});

test('implied_port: the peer is stored under the UDP source port of the announce', async (t) => {
  const nodes = await network(t, 5);
  const ih = infoHashOf('implied');
  await nodes[1]!.announce(ih, 1, { impliedPort: true });
  const found = await collect(nodes[4]!.lookup(ih));
  assert.deepEqual(found, [`127.0.0.1:${nodes[1]!.address()!.port}`]);
});

test('breaking out of a lookup early stops it, and stop() aborts lookups in flight', async (t) => {
  const nodes = await network(t, 5);
  const ih = infoHashOf('early');
  await nodes[0]!.announce(ih, 7000);
  await nodes[1]!.announce(ih, 7001);
  for await (const p of nodes[4]!.lookup(ih)) {
    assert.ok(p.port === 7000 || p.port === 7001);
    break;
  }
  const lonely = await startNode(t, { bootstrap: ['127.0.0.1:9'], queryTimeoutMs: 5_000 });
  const pending = collect(lonely.lookup(ih));
  await lonely.stop();
  await assert.rejects(pending, { code: 'DHT_ABORTED' });
});

test('the routing table is saved on stop and loaded on start, with the same id', async (t) => {
  const dir = await tempDir(t);
  const statePath = join(dir, 'dht.json');
  const nodes = await network(t, 4);
  const entry = `127.0.0.1:${nodes[0]!.address()!.port}`;
  const a = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [entry], statePath, queryTimeoutMs: 500 });
  await a.start();
  await a.bootstrap();
  const id = a.id.toString('hex');
  const known = a.nodes().length;
  assert.ok(known >= 3);
  await a.stop();
  // Restart with no bootstrap node at all: the saved nodes are enough to find an announce.
  const b = await startNode(t, { bootstrap: [], statePath });
  assert.equal(b.id.toString('hex'), id);
  assert.equal(b.nodes().length, known);
  const ih = infoHashOf('saved');
  await nodes[2]!.announce(ih, 6000);
  assert.deepEqual(await collect(b.lookup(ih)), ['127.0.0.1:6000']);
});

test('IPv6 (BEP 32): nodes on ::1 bootstrap, announce and look up over their own table', async (t) => {
  const v6 = { ipv4: false as const, ipv6: { host: '::1', port: 0 } };
  const first = await startNode(t, { ...v6, bootstrap: [] });
  const entry = `[::1]:${first.address(6)!.port}`;
  const others = [await startNode(t, { ...v6, bootstrap: [entry] }), await startNode(t, { ...v6, bootstrap: [entry] }), await startNode(t, { ...v6, bootstrap: [entry] })];
  for (const n of [first, ...others]) await n.bootstrap();
  assert.ok(others[2]!.stats().nodes[6]! >= 3);
  const ih = infoHashOf('six');
  assert.ok((await others[0]!.announce(ih, 6881)).accepted >= 2);
  assert.deepEqual(await collect(others[2]!.lookup(ih)), ['::1:6881']);
});

test('read-only (BEP 43): the node can look up but answers nothing and stays out of routing tables', async (t) => {
  const nodes = await network(t, 4);
  const entry = `127.0.0.1:${nodes[0]!.address()!.port}`;
  const ro = await startNode(t, { bootstrap: [entry], readOnly: true });
  await ro.bootstrap();
  assert.ok(ro.nodes().length >= 3);
  const ih = infoHashOf('ro');
  await nodes[1]!.announce(ih, 4242);
  assert.deepEqual(await collect(ro.lookup(ih)), ['127.0.0.1:4242']);
  const roPort = ro.address()!.port;
  for (const n of nodes) assert.ok(!n.nodes().some((c) => c.port === roPort), 'read-only node in a routing table');
  await assert.rejects(ro.announce(ih, 1), { code: 'DHT_READ_ONLY' });
  assert.equal(ro.stats().counters.queriesAnswered, 0);
});

test('DhtPeerSource: two torrents on two nodes announce and find each other, round after round', async (t) => {
  const nodes = await network(t, 6);
  const ih = infoHashOf('peer source');
  const seenBy = new Map<number, Set<string>>([[1111, new Set()], [2222, new Set()]]);
  const sources = [1111, 2222].map((port, i) => new DhtPeerSource(nodes[i + 2]!, ih, { port, intervalMs: 100, onPeers: (ps) => ps.forEach((p) => seenBy.get(port)!.add(`${p.host}:${p.port}`)) }));
  for (const s of sources) s.start();
  t.after(() => Promise.all(sources.map((s) => s.stop())));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !(seenBy.get(1111)!.has('127.0.0.1:2222') && seenBy.get(2222)!.has('127.0.0.1:1111'))) await new Promise((r) => setTimeout(r, 50));
  assert.ok(seenBy.get(1111)!.has('127.0.0.1:2222'), [...seenBy.get(1111)!].join());
  assert.ok(seenBy.get(2222)!.has('127.0.0.1:1111'), [...seenBy.get(2222)!].join());
  await Promise.all(sources.map((s) => s.stop()));
  const rounds = sources.map((s) => s.rounds);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(sources.map((s) => s.rounds), rounds, 'no round after stop()');
  // A port of 0 only looks up: a third node learns both peers and adds itself nowhere.
  const found: string[] = [];
  const reader = new DhtPeerSource(nodes[5]!, ih, { port: 0, onPeers: (ps) => ps.forEach((p) => found.push(`${p.host}:${p.port}`)) });
  await reader.runOnce();
  assert.deepEqual(found.sort(), ['127.0.0.1:1111', '127.0.0.1:2222']);
});

test('with a state file the routing table is also saved while running, so a killed node keeps a recent table', async (t) => {
  const dir = await tempDir(t);
  const statePath = join(dir, 'dht.json');
  const nodes = await network(t, 4);
  const a = await startNode(t, { bootstrap: [`127.0.0.1:${nodes[0]!.address()!.port}`], statePath, maintenanceIntervalMs: 50, stateSaveIntervalMs: 100 });
  await a.bootstrap();
  const { readState } = await import('../../src/dht/persistence.js');
  const deadline = Date.now() + 10_000;
  let saved = await readState(statePath);
  while ((saved?.nodes.length ?? 0) < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    saved = await readState(statePath);
  }
  assert.ok(saved && saved.nodes.length >= 3, `saved while running: ${JSON.stringify(saved?.nodes)}`);
  assert.equal(saved.id.toString('hex'), a.id.toString('hex'));
});
