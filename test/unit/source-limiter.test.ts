import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLimiter } from '../../src/util/source-limiter.js';

test('source limiter: burst then steady rate per address; tracked addresses are capped', () => {
  const r = new SourceLimiter({ perSecond: 10, burst: 20, maxSources: 100 });
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (r.allow('a', 0)) allowed++;
  assert.equal(allowed, 20);
  assert.equal(r.allow('b', 0), true, 'another address has its own bucket');
  assert.equal(r.allow('a', 50), false);
  assert.equal(r.allow('a', 100), true, 'one token back after 100 ms at 10/s');
  for (let i = 0; i < 1000; i++) r.allow(`x${i}`, 200);
  assert.equal(r.tracked, 100);
});

test('source limiter: the least recently seen source is forgotten first, a busy one is kept', () => {
  const r = new SourceLimiter({ perSecond: 1, burst: 1, maxSources: 2 });
  assert.equal(r.allow('flood', 0), true);
  assert.equal(r.allow('quiet', 0), true);
  assert.equal(r.allow('flood', 1), false, 'flood seen again: most recent now');
  r.allow('new', 2); // forgets 'quiet', the least recently seen
  assert.equal(r.allow('flood', 3), false, 'flood is still remembered and still empty');
});

test('source limiter: perSecond 0 turns it off', () => {
  const r = new SourceLimiter({ perSecond: 0, burst: 0, maxSources: 10 });
  for (let i = 0; i < 1000; i++) assert.equal(r.allow('a', 0), true);
  assert.equal(r.enabled, false);
  assert.equal(r.tracked, 0);
});
