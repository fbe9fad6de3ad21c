import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Framer } from '../../src/wire/index.js';
import { xorshift } from '../helpers/rng.js';

test('framer fed from one reused read buffer: frames split across reads stay intact after the buffer is overwritten', () => {
  const next = xorshift(7);
  const rng = (): number => next() / 2 ** 32;
  // 200 frames of 0..40000 bytes, as a peer would send them back to back.
  const bodies = Array.from({ length: 200 }, () => randomBytes(Math.floor(rng() * 40_000)));
  const stream = Buffer.concat(bodies.flatMap((b) => [Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), b]));
  const framer = new Framer(64 * 1024);
  const reused = Buffer.alloc(32 * 1024);
  const got: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = Math.min(stream.length - at, 1 + Math.floor(rng() * reused.length));
    stream.copy(reused, 0, at, at + n);
    at += n;
    framer.push(reused.subarray(0, n));
    // What a connection does with a frame it keeps: copy it before the next read.
    for (let body = framer.next(); body; body = framer.next()) got.push(Buffer.from(body));
    framer.detach();
    reused.fill(0xee); // the next read overwrites everything
  }
  assert.equal(got.length, bodies.length);
  for (const [i, b] of bodies.entries()) assert.ok(got[i]!.equals(b), `frame ${i}`);
  assert.equal(framer.bufferedBytes, 0);
});
