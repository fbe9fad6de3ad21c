import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UploadBuffers } from '../../src/swarm/upload-buffers.js';

test('upload buffers: a piece buffer is reused only once no unflushed write holds it', () => {
  const pool = new UploadBuffers(1024, 2);
  const a = pool.take(1024);
  const b = pool.take(1024);
  assert.notEqual(a, b);
  pool.hold(a);
  pool.hold(a); // two batches hold blocks of `a`
  pool.drop(a); // evicted from the cache while they are in the socket
  pool.drop(b); // nothing holds `b`: free at once
  assert.equal(pool.take(1024), b);
  assert.notEqual(pool.take(1024), a, 'still held by two writes');
  pool.release(a);
  assert.notEqual(pool.take(1024), a, 'still held by one write');
  pool.release(a);
  assert.equal(pool.take(1024), a, 'free once the last write flushed');
});

test('upload buffers: short (last-piece) buffers are never reused; the free list is bounded; held buffers in the cache stay put', () => {
  const pool = new UploadBuffers(1024, 1);
  const short = pool.take(100);
  assert.equal(short.length, 100);
  pool.drop(short);
  assert.notEqual(pool.take(1024).length, 100);
  const x = pool.take(1024);
  const y = pool.take(1024);
  pool.drop(x);
  pool.drop(y); // over the bound of one: left to the garbage collector
  assert.equal(pool.take(1024), x);
  assert.notEqual(pool.take(1024), y);
  // A release for a buffer still in the cache (never dropped) does not free it.
  const z = pool.take(1024);
  pool.hold(z);
  pool.release(z);
  assert.notEqual(pool.take(1024), z);
});
