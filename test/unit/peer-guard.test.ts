import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressGuard, DEFAULT_GUARD } from '../../src/swarm/address-guard.js';
import { DEFAULT_EVICTION, pickEviction, type EvictionCandidate } from '../../src/swarm/eviction.js';

test('the guard caps connections in all and frees a place when one closes', () => {
  const g = new AddressGuard({ ...DEFAULT_GUARD, maxConnections: 2 });
  assert.equal(g.admit('10.0.0.1', 0), undefined);
  assert.equal(g.admit('10.0.0.2', 0), undefined);
  assert.equal(g.admit('10.0.0.3', 0), 'too many connections');
  g.closed('10.0.0.1');
  assert.equal(g.admit('10.0.0.3', 0), undefined);
  assert.equal(g.openConnections, 2);
});

test('the guard caps the connections open from one address, all torrents together; a close frees one of them', () => {
  const g = new AddressGuard({ ...DEFAULT_GUARD, maxConnectionsPerAddress: 3 });
  for (let i = 0; i < 3; i++) assert.equal(g.admit('10.0.0.1', i * 1_000), undefined);
  assert.equal(g.admit('10.0.0.1', 5_000), 'too many from this address');
  assert.equal(g.admit('10.0.0.2', 5_000), undefined, 'another address is not affected');
  g.closed('10.0.0.1');
  assert.equal(g.admit('10.0.0.1', 6_000), undefined);
  assert.equal(g.openConnections, 4);
});

test('a flood of new connections from one address is refused; others are not, and the bucket refills', () => {
  const g = new AddressGuard({ ...DEFAULT_GUARD, connectsPerSecond: 10, connectBurst: 5 });
  const results = Array.from({ length: 8 }, () => g.admit('10.0.0.1', 1_000));
  assert.deepEqual(results.filter((r) => r === undefined).length, 5);
  assert.equal(results.at(-1), 'connecting too often');
  assert.equal(g.admit('10.0.0.2', 1_000), undefined, 'another address is not affected');
  assert.equal(g.admit('10.0.0.1', 1_200), undefined, 'two tokens back after 200 ms at 10 per second');
});

test('strikes within the window ban an address for banMs; strikes spread out do not', () => {
  const g = new AddressGuard({ ...DEFAULT_GUARD, strikesToBan: 3, strikeWindowMs: 60_000, banMs: 600_000 });
  assert.equal(g.strike('10.0.0.1', 0), false);
  assert.equal(g.strike('10.0.0.1', 1_000), false);
  assert.equal(g.strike('10.0.0.1', 2_000), true);
  assert.equal(g.admit('10.0.0.1', 3_000), 'banned');
  assert.equal(g.admit('10.0.0.1', 602_001), undefined, 'the ban expires');
  // Three strikes, each more than a window apart: never a ban.
  for (const at of [0, 70_000, 140_000]) assert.equal(g.strike('10.0.0.9', at), false);
  assert.equal(g.isBanned('10.0.0.9', 140_001), false);
});

test('the guard remembers a bounded number of addresses', () => {
  const g = new AddressGuard({ ...DEFAULT_GUARD, trackedAddresses: 100, strikesToBan: 2 });
  for (let i = 0; i < 10_000; i++) g.strike(`10.0.${i >> 8}.${i & 255}`, 0);
  // The first address was forgotten, so one more strike does not ban it; the last is still remembered.
  assert.equal(g.strike('10.0.0.0', 1), false);
  assert.equal(g.strike('10.0.39.15', 1), true);
});

const NOW = 100_000;
function peer(key: string, over: Partial<EvictionCandidate> = {}): EvictionCandidate {
  return { key, connectedAtMs: NOW - 10_000, lastBlockMs: 0, lastReceivedMs: NOW - 1_000, peerInterested: false, amInterested: false, ...over };
}

test('eviction: a peer that does not read goes first, then the idle, then the silent; busy peers stay', () => {
  const cases: [string, EvictionCandidate[], string | undefined][] = [
    ['nobody to evict when every peer trades', [peer('a', { peerInterested: true, lastBlockMs: NOW - 100 }), peer('b', { amInterested: true })], undefined],
    ['an idle peer (no interest either way) goes', [peer('busy', { peerInterested: true }), peer('idle')], 'idle'],
    ['a newcomer still in its grace period stays', [peer('young', { connectedAtMs: NOW - DEFAULT_EVICTION.graceMs + 1 })], undefined],
    ['the oldest idle peer goes first', [peer('newer', { connectedAtMs: NOW - 5_000 }), peer('older', { connectedAtMs: NOW - 50_000 })], 'older'],
    ['a stalled reader beats an idle peer', [peer('idle'), peer('stalled', { peerInterested: true, lastBlockMs: NOW - 100, stalledSinceMs: NOW - 6_000 })], 'stalled'],
    ['stalled only briefly: kept', [peer('s', { peerInterested: true, stalledSinceMs: NOW - 1_000 })], undefined],
    ['interested but silent for a minute goes', [peer('silent', { peerInterested: true, lastReceivedMs: NOW - 61_000 })], 'silent'],
    ['a recent block protects even an idle-looking peer', [peer('recent', { lastBlockMs: NOW - 5_000 })], undefined],
  ];
  for (const [name, peers, want] of cases) assert.equal(pickEviction(peers, NOW), want, name);
});
