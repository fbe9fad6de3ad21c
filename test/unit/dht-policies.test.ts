import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TokenPolicy } from '../../src/dht/tokens.js';
import { PeerStore } from '../../src/dht/peer-store.js';
import { Lookup } from '../../src/dht/lookup.js';
import { asNodeId, compareDistance } from '../../src/dht/node-id.js';

const MIN = 60_000;

test('tokens: valid for the same IP only, accepted across one rotation, refused after ten minutes', () => {
  const p = new TokenPolicy({ tokenRotateMs: 5 * MIN, tokenAcceptMs: 10 * MIN }, randomBytes, 0);
  const tok = p.issue('10.0.0.1', 4 * MIN);
  assert.equal(p.verify('10.0.0.1', tok, 4 * MIN), true);
  assert.equal(p.verify('10.0.0.2', tok, 4 * MIN), false, 'bound to the IP');
  assert.equal(p.verify('10.0.0.1', tok, 9 * MIN), true, 'after one rotation (at 5 min) still accepted');
  assert.equal(p.verify('10.0.0.1', tok, 10 * MIN + 1), false, 'after the second rotation it is over ten minutes old');
  const fresh = p.issue('10.0.0.1', 10 * MIN + 1);
  assert.notDeepEqual(fresh, tok, 'the secret rotated');
  assert.equal(p.verify('10.0.0.1', Buffer.alloc(3), 10 * MIN), false);
});

test('tokens: a long pause expires every old token', () => {
  const p = new TokenPolicy({ tokenRotateMs: 5 * MIN, tokenAcceptMs: 10 * MIN }, randomBytes, 0);
  const tok = p.issue('::1', 0);
  assert.equal(p.verify('::1', tok, 60 * MIN), false);
});

test('peer store: expiry, per-info-hash cap, info-hash cap, family filter', () => {
  const s = new PeerStore({ peerTtlMs: 30 * MIN, maxInfoHashes: 3, maxPeersPerInfoHash: 4 });
  const ih = (n: number) => Buffer.alloc(20, n);
  for (let i = 0; i < 10; i++) s.add(ih(1), { host: '10.0.0.1', port: 1000 + i }, 0);
  assert.equal(s.get(ih(1), 4, 50, 0).length, 4);
  assert.deepEqual(s.get(ih(1), 4, 50, 0).map((p) => p.port).sort(), [1006, 1007, 1008, 1009], 'oldest evicted');
  s.add(ih(1), { host: '::1', port: 5 }, 0);
  assert.deepEqual(s.get(ih(1), 6, 50, 0), [{ host: '::1', port: 5 }]);
  assert.equal(s.get(ih(1), 4, 2, 0).length, 2, 'response limit');
  for (let i = 2; i < 10; i++) s.add(ih(i), { host: '10.0.0.1', port: 1 }, 1);
  assert.equal(s.infoHashCount, 3);
  assert.equal(s.get(ih(9), 4, 50, 30 * MIN + 2).length, 0, 'expired');
  s.expire(31 * MIN + 2);
  assert.equal(s.infoHashCount, 0);
});

test('lookup: queries closest first, never more than the concurrency, ends when the k closest answered', () => {
  const target = asNodeId(Buffer.alloc(20, 0));
  const idAt = (n: number) => {
    const b = Buffer.alloc(20, 0);
    b.writeUInt32BE(n, 16);
    return asNodeId(b);
  };
  // A tiny world: node n knows nodes n/2 and n/2+1 (ids close to the target are small numbers).
  const world = new Map<number, number[]>();
  for (let n = 1; n < 512; n++) world.set(n, [Math.floor(n / 2), Math.floor(n / 2) + 1].filter((x) => x > 0));
  const contactOf = (n: number) => ({ id: idAt(n), host: '127.0.0.1', port: n });
  const lookup = new Lookup(target, { k: 4, concurrency: 3, maxQueries: 100, maxCandidates: 64 }, [contactOf(500), contactOf(400)]);
  let rounds = 0;
  while (!lookup.done && rounds++ < 100) {
    const batch = lookup.next();
    assert.ok(batch.length <= 3);
    assert.ok(batch.length > 0, 'work remains while not done');
    for (const c of batch) lookup.responded(c, c.id!, (world.get(c.port) ?? []).map(contactOf), Buffer.from([c.port & 0xff]));
  }
  assert.ok(lookup.done);
  const best = lookup.closestResponded(4).map((r) => r.contact.port);
  assert.deepEqual(best, [1, 2, 3, 4]);
  assert.ok(lookup.queriesSent < 40, `queries: ${lookup.queriesSent}`);
  const sorted = [...best].map(idAt).sort((a, b) => compareDistance(target, a, b));
  assert.deepEqual(sorted.map((x) => x.readUInt32BE(16)), best);
});

test('lookup: failures are skipped and the query budget is a hard cap', () => {
  const target = asNodeId(Buffer.alloc(20, 0));
  const seeds = Array.from({ length: 50 }, (_, i) => ({ id: asNodeId(Buffer.alloc(20, i + 1)), host: '127.0.0.1', port: i + 1 }));
  const lookup = new Lookup(target, { k: 8, concurrency: 8, maxQueries: 20, maxCandidates: 64 }, seeds);
  let rounds = 0;
  while (!lookup.done && rounds++ < 100) for (const c of lookup.next()) lookup.failed(c);
  assert.ok(lookup.done);
  assert.equal(lookup.queriesSent, 20);
  assert.deepEqual(lookup.closestResponded(8), []);
});

test('lookup: a stalled query frees its slot at once, is passed over like a failure, and its late answer still counts', () => {
  const target = asNodeId(Buffer.alloc(20, 0));
  const node = (i: number) => ({ id: asNodeId(Buffer.concat([Buffer.alloc(19, 0), Buffer.from([i])])), host: '127.0.0.1', port: i });
  const lookup = new Lookup(target, { k: 2, concurrency: 1, maxQueries: 50, maxCandidates: 64 }, [node(1), node(2), node(3)]);
  const [first] = lookup.next();
  assert.equal(first!.port, 1);
  assert.deepEqual(lookup.next(), [], 'one slot, taken');
  lookup.stalled(first!);
  assert.equal(lookup.pending, 0);
  assert.equal(lookup.outstanding, 1);
  const [second] = lookup.next();
  assert.equal(second!.port, 2, 'the next candidate is asked without waiting for the slow one');
  lookup.responded(second!, second!.id!, []);
  assert.equal(lookup.done, false, 'node 3 is still to be asked');
  const [third] = lookup.next();
  assert.equal(third!.port, 3, 'while node 1 is slow the search widens by one');
  lookup.responded(third!, third!.id!, []);
  assert.equal(lookup.outstanding, 1);
  assert.equal(lookup.done, true, 'the k closest that did not stall (2 and 3) answered: no wait for node 1');
  lookup.responded(first!, first!.id!, [], Buffer.from('late token'));
  assert.equal(lookup.outstanding, 0);
  assert.deepEqual(lookup.closestResponded(2).map((r) => [r.contact.port, r.token?.toString()]), [[1, 'late token'], [2, undefined]]);
  // A stalled node farther out does not hold the lookup open either.
  const far = new Lookup(target, { k: 2, concurrency: 2, maxQueries: 50, maxCandidates: 64 }, [node(9), node(8)]);
  const [eight, nine] = far.next();
  assert.deepEqual([eight!.port, nine!.port], [8, 9]);
  far.stalled(nine!);
  far.responded(eight!, eight!.id!, [node(1)]);
  const [one] = far.next();
  assert.equal(one!.port, 1);
  far.responded(one!, one!.id!, []);
  assert.equal(far.outstanding, 1, '9 never answered');
  assert.equal(far.done, true, '1 and 8 are the k closest and both answered');
  const slow = new Lookup(target, { k: 1, concurrency: 1, maxQueries: 50, maxCandidates: 64 }, [node(9), node(8)]);
  const [slow8] = slow.next();
  slow.stalled(slow8!);
  const [other] = slow.next();
  assert.equal(other!.port, 9);
  slow.responded(other!, other!.id!, []);
  assert.equal(slow.done, true, 'with 8 stalled, 9 is the closest live node and answered');
  assert.deepEqual(slow.closestResponded(1).map((r) => r.contact.port), [9]);
  // Fewer than k live answers: a stalled query is all there is, so it is waited for (a slow bootstrap router).
  const lone = new Lookup(target, { k: 8, concurrency: 3, maxQueries: 50, maxCandidates: 64 }, [{ host: '127.0.0.1', port: 6881 }]);
  const [router] = lone.next();
  lone.stalled(router!);
  assert.equal(lone.done, false, 'not done with nothing but a slow router');
  lone.responded(router!, node(4).id, [node(2), node(3)]);
  assert.deepEqual(lone.next().map((c) => c.port), [2, 3], 'its late answer moves the lookup on');
});

test('saved state: round trip; broken files are typed errors; bad node entries are skipped', async () => {
  const { parseState, serializeState } = await import('../../src/dht/persistence.js');
  const id = asNodeId(Buffer.alloc(20, 9));
  const nodes = [{ id: asNodeId(Buffer.alloc(20, 1)), host: '127.0.0.1', port: 6881 }, { id: asNodeId(Buffer.alloc(20, 2)), host: '::1', port: 1 }];
  assert.deepEqual(parseState(serializeState({ id, nodes })), { id, nodes });
  for (const bad of ['', '{', '[]', '{"version":2}', '{"version":1,"id":"zz","nodes":[]}', '{"version":1,"id":"' + '0'.repeat(40) + '"}']) {
    assert.throws(() => parseState(bad), { code: 'DHT_STATE_FILE' }, bad);
  }
  const mixed = JSON.stringify({ version: 1, id: '0'.repeat(40), nodes: [{ id: '1'.repeat(40), host: 'not-an-ip', port: 1 }, { id: '1'.repeat(40), host: '1.2.3.4', port: 70000 }, { id: 'x', host: '1.2.3.4', port: 1 }, { id: '2'.repeat(40), host: '1.2.3.4', port: 5 }] });
  assert.deepEqual(parseState(mixed).nodes.map((n) => n.port), [5]);
});
