import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoutingTable } from '../../src/dht/routing-table.js';
import { asNodeId, commonPrefixBits, distance, randomIdWithPrefix, type NodeId } from '../../src/dht/node-id.js';
import { DHT_DEFAULTS } from '../../src/dht/defaults.js';

const opts = { bucketSize: 8, nodeQuestionableMs: 15 * 60_000, nodeMaxFailures: 2, bucketRefreshMs: 15 * 60_000 };
const own = asNodeId(Buffer.alloc(20, 0));

/** An id whose first byte is `b` and last byte `tail`, so its distance from `own` is easy to read. */
function idOf(first: number, tail = 0): NodeId {
  const b = Buffer.alloc(20, 0);
  b[0] = first;
  b[19] = tail;
  return asNodeId(b);
}
let port = 1000;
const contact = (id: NodeId) => ({ id, host: '127.0.0.1', port: port++ });

test('defaults: k = 8', () => assert.equal(DHT_DEFAULTS.bucketSize, 8));

test('the bucket holding our id splits; a far bucket does not', () => {
  const table = new RoutingTable(own, opts, 0);
  // 8 nodes in the far half (first bit 1) fill the single bucket.
  for (let i = 0; i < 8; i++) assert.equal(table.insert(contact(idOf(0x80, i)), 'response', 0).kind, 'added');
  assert.equal(table.bucketCount, 1);
  // A ninth far node: the bucket holds our id, so it splits; all 8 move to the far bucket which is now full.
  const ninth = table.insert(contact(idOf(0x80, 99)), 'response', 0);
  assert.equal(table.bucketCount, 2);
  assert.equal(ninth.kind, 'full', 'a far bucket of good nodes discards the newcomer (BEP 5)');
  // A near node lands in the near bucket.
  assert.equal(table.insert(contact(idOf(0x01)), 'response', 0).kind, 'added');
  assert.equal(table.size, 9);
});

test('splits keep going toward our own id', () => {
  const table = new RoutingTable(own, opts, 0);
  for (let depth = 0; depth < 20; depth++) for (let i = 0; i < 8; i++) table.insert(contact(randomIdWithPrefix(own, depth, (n) => Buffer.alloc(n, i * 31 + 7))), 'response', 0);
  assert.ok(table.bucketCount >= 20, `buckets: ${table.bucketCount}`);
  assert.ok(table.size <= 20 * 8 + 8);
});

test('a bad node is replaced at once; questionable nodes are named for a ping and replaced after two failures', () => {
  const table = new RoutingTable(own, opts, 0);
  const far = Array.from({ length: 8 }, (_, i) => contact(idOf(0x80, i)));
  for (const c of far) table.insert(c, 'response', 0);
  table.insert(contact(idOf(0x01)), 'response', 0); // forces the split, far bucket full

  // Two failures make far[0] bad: the next newcomer replaces it.
  assert.equal(table.failed(far[0]!.id, 10), 'good', 'one failure is not enough (BEP 5: try once more)');
  assert.equal(table.failed(far[0]!.id, 10), 'bad');
  const r = table.insert(contact(idOf(0x80, 50)), 'response', 20);
  assert.equal(r.kind, 'replaced');
  assert.ok(r.kind === 'replaced' && r.evicted.id.equals(far[0]!.id));

  // 16 minutes later the rest are questionable: a newcomer waits, and the least recently seen are named.
  const later = 16 * 60_000;
  table.insert(far[3]!, 'query', later - 1000); // far[3] queried us: seen more recently (still questionable? it responded before: good)
  const newcomer = contact(idOf(0x80, 77));
  const p = table.insert(newcomer, 'response', later);
  assert.equal(p.kind, 'pending');
  assert.ok(p.kind === 'pending');
  assert.ok(!p.ping.some((n) => n.id.equals(far[3]!.id)), 'a node that answered before and queried us lately is good');
  assert.equal(p.ping[0]!.id.equals(far[1]!.id), true, 'least recently seen first');
  // The pinged node does not answer twice: the waiting newcomer takes its place.
  table.failed(far[1]!.id, later);
  table.failed(far[1]!.id, later);
  assert.equal(table.find(far[1]!.id), undefined);
  assert.ok(table.find(newcomer.id));
});

test('closest() returns nodes in XOR order and leaves bad nodes out', () => {
  const table = new RoutingTable(own, opts, 0);
  const ids = [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01, 0xc0, 0x60].map((b) => idOf(b, 5));
  for (const id of ids) table.insert(contact(id), 'response', 0);
  const target = idOf(0x41);
  const got = table.closest(target, 5, 0);
  const expected = [...table.all()].sort((a, b) => Buffer.compare(distance(a.id, target), distance(b.id, target))).slice(0, 5);
  assert.deepEqual(got.map((n) => n.id), expected.map((n) => n.id));
  assert.ok(got[0]!.id.equals(idOf(0x40, 5)));
  table.failed(got[0]!.id, 0);
  table.failed(got[0]!.id, 0);
  assert.ok(!table.closest(target, 5, 0).some((n) => n.id.equals(idOf(0x40, 5))));
});

test('our own id and a known id at a new address are refused', () => {
  const table = new RoutingTable(own, opts, 0);
  assert.equal(table.insert({ id: own, host: '127.0.0.1', port: 1 }, 'response', 0).kind, 'rejected');
  const id = idOf(0x33);
  table.insert({ id, host: '127.0.0.1', port: 2 }, 'response', 0);
  assert.equal(table.insert({ id, host: '127.0.0.9', port: 2 }, 'response', 0).kind, 'rejected');
  assert.equal(table.find(id)!.host, '127.0.0.1');
});

test('stale buckets give refresh targets inside their own range', () => {
  const table = new RoutingTable(own, opts, 0);
  for (let i = 0; i < 9; i++) table.insert(contact(idOf(i < 8 ? 0x80 : 0x01, i)), 'response', 0);
  assert.deepEqual(table.refreshTargets(60_000, (n) => Buffer.alloc(n, 0xab)), []);
  const targets = table.refreshTargets(16 * 60_000, (n) => Buffer.alloc(n, 0xab));
  assert.equal(targets.length, table.bucketCount);
  assert.equal(commonPrefixBits(targets[0]!, own), 0);
  assert.ok(commonPrefixBits(targets[1]!, own) >= 1);
  assert.deepEqual(table.refreshTargets(16 * 60_000 + 1, (n) => Buffer.alloc(n, 1)), [], 'refreshed buckets are fresh again');
});

test('randomIdWithPrefix shares exactly the asked number of bits', () => {
  for (let bits = 0; bits < 160; bits += 7) {
    const id = randomIdWithPrefix(own, bits, (n) => Buffer.alloc(n, 0x5a));
    assert.equal(commonPrefixBits(id, own), bits);
  }
});
