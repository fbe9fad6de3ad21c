import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PieceBuffers } from '../../src/swarm/piece-buffers.js';

const SLOT = 1024 * 1024;

test('piece buffers: slots on shared memory are reused, never handed out twice, and a short last piece fits a slot', () => {
  const buffers = new PieceBuffers(SLOT, 64 * SLOT);
  const a = buffers.take(SLOT);
  const b = buffers.take(SLOT);
  assert.ok(a.buffer instanceof SharedArrayBuffer, 'a slot lives on shared memory, readable in place by other threads');
  assert.notEqual(a.buffer === b.buffer && a.byteOffset === b.byteOffset, true, 'two live buffers never share a slot');
  a.fill(1);
  b.fill(2);
  assert.ok(b.every((x) => x === 2) && a.every((x) => x === 1));
  buffers.recycle(a);
  buffers.recycle(a); // a second give-back of the same slot must not put it on the free list twice
  const c = buffers.take(SLOT);
  const d = buffers.take(SLOT);
  assert.ok(c.buffer === a.buffer && c.byteOffset === a.byteOffset, 'the slot given back is the next handed out');
  assert.ok(!(d.buffer === a.buffer && d.byteOffset === a.byteOffset), 'and only once');
  const last = buffers.take(1000);
  assert.equal(last.length, 1000);
  buffers.recycle(last);
  assert.equal(buffers.take(SLOT).byteOffset, last.byteOffset, 'a short buffer gives its whole slot back');
});

test('piece buffers: past the byte cap pieces get ordinary memory, which recycle leaves alone', () => {
  // 4 MiB chunks of 1 MiB slots; a cap of 6 slots admits one chunk (4 slots), not a second.
  const buffers = new PieceBuffers(SLOT, 6 * SLOT);
  const taken = Array.from({ length: 5 }, () => buffers.take(SLOT));
  assert.equal(taken.filter((b) => b.buffer instanceof SharedArrayBuffer).length, 4);
  const ordinary = taken[4]!;
  assert.ok(!(ordinary.buffer instanceof SharedArrayBuffer));
  buffers.recycle(ordinary);
  buffers.recycle(taken[0]!);
  assert.ok(buffers.take(SLOT).buffer instanceof SharedArrayBuffer, 'a freed slot is used before ordinary memory');
  assert.ok(!(buffers.take(SLOT).buffer instanceof SharedArrayBuffer), 'the ordinary buffer was not taken into the pool');
});
