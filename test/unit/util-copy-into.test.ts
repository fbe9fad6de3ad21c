import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyInto } from '../../src/util/copy-into.js';

test('copyInto copies a block into shared memory exactly, from any alignment, and nothing around it', () => {
  const frame = randomBytes(13 + 16384 + 7);
  for (const start of [0, 1, 13, 17]) {
    const block = frame.subarray(start, start + 16384);
    const target = Buffer.from(new SharedArrayBuffer(65536), 4096, 40000).fill(0xaa);
    assert.equal(copyInto(target, block, 16384), 16384);
    assert.ok(target.subarray(16384, 32768).equals(block), `source at offset ${start}`);
    assert.ok(target.subarray(0, 16384).every((b) => b === 0xaa) && target.subarray(32768).every((b) => b === 0xaa), 'bytes outside the range untouched');
  }
});

test('copyInto into ordinary memory, what fits at the end, and nothing for an empty source or a full target', () => {
  const target = Buffer.alloc(10);
  assert.equal(copyInto(target, Buffer.from('abcdef'), 2), 6);
  assert.equal(target.toString('latin1', 2, 8), 'abcdef');
  // Only what fits: 3 bytes at offset 7 (Buffer#copy's rule).
  assert.equal(copyInto(target, Buffer.from('xyz123'), 7), 3);
  assert.equal(target.toString('latin1', 7), 'xyz');
  assert.equal(copyInto(target, Buffer.alloc(0), 0), 0);
  assert.equal(copyInto(target, Buffer.from('q'), 10), 0);
  assert.equal(target.toString('latin1', 2), 'abcdexyz');
});
