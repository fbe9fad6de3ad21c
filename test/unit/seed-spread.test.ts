import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeedSpread } from '../../src/swarm/seed-spread.js';
import { PiecePicker } from '../../src/swarm/picker.js';
import { PieceBuffers } from '../../src/swarm/piece-buffers.js';
import { Requester } from '../../src/swarm/requests.js';

test('seed spread: every piece is offered once before any is offered twice, and two peers are offered different pieces', () => {
  const s = new SeedSpread(10, () => 0);
  const offered: number[] = [];
  for (let peer = 0; peer < 5; peer++) {
    const picks = s.pick(() => true, 2);
    for (const i of picks) s.add(i);
    offered.push(...picks);
  }
  assert.deepEqual([...offered].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'ten offers cover the ten pieces');
  const again = s.pick(() => true, 3);
  assert.equal(again.length, 3);
  for (const i of again) assert.equal(s.loadOf(i), 1);
});

test('seed spread: a peer is offered only what it lacks, the least sent first; a withdrawn offer frees the piece', () => {
  const s = new SeedSpread(6, () => 0);
  for (const i of [0, 1, 2, 3]) s.add(i);
  s.add(0);
  const has = new Set([4]);
  // Piece 5 is the only one never sent that the peer lacks.
  assert.deepEqual(s.pick((i) => !has.has(i), 3), [5]);
  s.add(5);
  s.remove(5);
  s.remove(5); // never below zero
  assert.equal(s.loadOf(5), 0);
  assert.deepEqual(s.pick((i) => i === 5 || i === 0, 2), [5]);
  assert.deepEqual(s.pick(() => false, 2), []);
});

test('seed spread: a pick on a large torrent scans a bounded stretch and stops once it has enough', () => {
  const s = new SeedSpread(1_000_000, () => 0.5, 2048);
  let calls = 0;
  const picks = s.pick(() => (calls++, true), 4);
  assert.equal(picks.length, 4);
  assert.ok(calls <= 4, `${calls} pieces looked at`);
  calls = 0;
  assert.deepEqual(s.pick(() => (calls++, false), 4), []);
  assert.equal(calls, 2048);
});

test('requests: a suggested piece is started before the picker\'s choice, unless it is had, started or of a lower priority', () => {
  const picker = new PiecePicker(8, { randomFirstPieces: 0, sequential: false, random: () => 0.5 });
  for (let i = 0; i < 8; i++) picker.peerHave(i);
  picker.peerHave(6); // piece 6 is the most common: the picker alone would leave it for last
  const buffers = new PieceBuffers(16, 1024);
  const r = new Requester(picker, { blockBytes: 16, pieceSize: () => 16, maxPartialBytes: 1024, buffers });
  picker.markHave(2);
  const suggested = [2, 6, 5];
  const first = r.next('p', 'all', 1, 0, suggested);
  assert.deepEqual(first.map((b) => b.index), [6], 'piece 2 is had; 6 is taken');
  assert.deepEqual(suggested, [5], 'used and spent suggestions leave the list');
  const low = new Uint8Array(8).fill(2);
  low[5] = 1;
  picker.setPriorities(low);
  const next = r.next('p', 'all', 1, 0, suggested);
  assert.notEqual(next[0]!.index, 5, 'a low-priority suggestion does not jump the queue');
  assert.deepEqual(suggested, []);
});
