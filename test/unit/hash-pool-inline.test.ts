import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { HashPool } from '../../src/metainfo/create/hash-pool.js';
import { ByteWindow } from '../../src/util/byte-window.js';

const sha1 = (b: Buffer): Buffer => createHash('sha1').update(b).digest();

test('byte window: counts the current second and the one before it, unless that one is long over', () => {
  let clock = 0;
  const w = new ByteWindow(() => clock);
  assert.equal(w.add(10), 10);
  clock = 900;
  assert.equal(w.add(5), 15);
  clock = 1500; // a new window: the 15 bytes before it still count
  assert.equal(w.add(1), 16);
  clock = 2600; // the window before (1 byte, from 1500) counts; 15 are gone
  assert.equal(w.add(0), 1);
  clock = 9000; // long quiet: nothing before counts
  assert.equal(w.add(2), 2);
});

test('hash pool: a slow process hashes on the calling thread; once the process hashes fast, on the threads, with the same digests', async (t) => {
  let clock = 0;
  const pool = new HashPool(2, { inlineBelowBytesPerSec: 1024 * 1024, now: () => clock });
  t.after(() => pool.close());
  const piece = (): Buffer => randomBytes(256 * 1024);
  for (let i = 0; i < 3; i++) {
    const data = piece();
    const want = sha1(data);
    const got = await pool.sha1(data);
    assert.ok(got.digest.equals(want));
    assert.equal(got.data, data, 'hashed here: the very buffer comes back');
  }
  assert.equal(pool.threadsStarted, 0, '768 KiB in a second: no thread started');
  const data = piece();
  const want = sha1(data);
  const got = await pool.sha1(data); // 1 MiB within the second: the threshold
  assert.ok(got.digest.equals(want));
  assert.equal(pool.threadsStarted, 1);
  clock = 10_000; // quiet since: back on the calling thread
  const later = piece();
  assert.equal((await pool.sha1(later)).data, later);
  assert.equal(pool.threadsStarted, 1);
});

test('hash pool: while a job runs on a thread, a hash waits its turn there rather than answering first', async (t) => {
  const pool = new HashPool(1, { inlineBelowBytesPerSec: 32 * 1024 * 1024, now: () => 0 });
  t.after(() => pool.close());
  const seen: string[] = [];
  const fast = pool.sha1(randomBytes(40 * 1024 * 1024)).then(() => seen.push('fast')); // past the threshold: a thread
  const small = randomBytes(1000);
  const want = sha1(small); // before: a buffer that goes to a thread is detached meanwhile
  const slow = pool.sha1(small).then((r) => (seen.push('small'), r));
  const [, got] = await Promise.all([fast, slow]);
  assert.deepEqual(seen, ['fast', 'small']);
  assert.ok(got.digest.equals(want));
  assert.equal(pool.threadsStarted, 1);
});
