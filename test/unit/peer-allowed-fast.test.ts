import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedFastSet } from '../../src/swarm/bep6-allowed-fast.js';

test('BEP 6 allowed-fast set: the spec\'s own examples (80.4.4.200, info hash 0xAA x 20, 1313 pieces)', () => {
  const hash = Buffer.alloc(20, 0xaa);
  assert.deepEqual(allowedFastSet('80.4.4.200', hash, 1313, 7), [1059, 431, 808, 1217, 287, 376, 1188]);
  assert.deepEqual(allowedFastSet('80.4.4.200', hash, 1313, 9), [1059, 431, 808, 1217, 287, 376, 1188, 353, 508]);
});

test('allowed-fast set: one set per /24, distinct pieces, at most the piece count, none for IPv6', () => {
  const hash = Buffer.alloc(20, 0x11);
  assert.deepEqual(allowedFastSet('10.1.2.3', hash, 500, 10), allowedFastSet('10.1.2.250', hash, 500, 10));
  assert.notDeepEqual(allowedFastSet('10.1.2.3', hash, 500, 10), allowedFastSet('10.1.3.3', hash, 500, 10));
  const small = allowedFastSet('10.1.2.3', hash, 3, 10);
  assert.deepEqual([...small].sort(), [0, 1, 2]);
  const big = allowedFastSet('10.1.2.3', hash, 100_000, 10);
  assert.equal(new Set(big).size, 10);
  assert.ok(big.every((i) => Number.isInteger(i) && i >= 0 && i < 100_000));
  assert.deepEqual(allowedFastSet('::1', hash, 500, 10), []);
  assert.deepEqual(allowedFastSet('10.1.2.3', hash, 0, 10), []);
});
