import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskWriteError, DiskWriter } from '../../src/storage/disk-writer.js';
import { DiskPace, WRITE_CALL_BYTES } from '../../src/util/write-all.js';
import { tempDir } from '../helpers/tmp.js';

// Each behaviour holds on both paths: on the calling thread (a slow stream of writes) and on the writer's thread.
const paths = [
  { name: 'on the calling thread', options: {}, threaded: false },
  { name: 'on its thread', options: { inlineBelowBytesPerSec: 0 }, threaded: true },
];

for (const path of paths) test(`disk writer ${path.name}: shared and ordinary buffers land at their positions, in several calls when large; neither is detached`, async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const h = await open(file, 'w+');
  t.after(() => h.close());
  const writer = new DiskWriter(path.options);
  // Larger than one pwrite and not a multiple of it, so the worker loops and writes a short tail.
  const big = Buffer.from(new SharedArrayBuffer(3 * WRITE_CALL_BYTES + 123));
  randomBytes(big.length).copy(big);
  const small = randomBytes(1000);
  const at = 5000;
  await Promise.all([writer.write(h.fd, big, at + small.length), writer.write(h.fd, small, at)]);
  assert.equal(small.length, 1000, 'an ordinary buffer is copied to the thread, never detached');
  assert.equal(big.length, 3 * WRITE_CALL_BYTES + 123);
  const onDisk = await readFile(file);
  assert.equal(onDisk.length, at + small.length + big.length);
  assert.ok(onDisk.subarray(0, at).every((b) => b === 0), 'the gap before the first write stays a hole of zeros');
  assert.ok(onDisk.subarray(at, at + small.length).equals(small));
  assert.ok(onDisk.subarray(at + small.length).equals(big));
  assert.equal(writer.threadStarted, path.threaded);
});

for (const path of paths) test(`disk writer ${path.name}: a failed write rejects with the system error code, and the next write still works`, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ro.bin');
  await writeFile(file, 'x');
  const readOnly = await open(file, 'r');
  t.after(() => readOnly.close());
  const writer = new DiskWriter(path.options);
  await assert.rejects(writer.write(readOnly.fd, Buffer.from('data'), 0), (err: unknown) => err instanceof DiskWriteError && err.code === 'EBADF');
  const ok = await open(join(dir, 'ok.bin'), 'w+');
  t.after(() => ok.close());
  await writer.write(ok.fd, Buffer.from('fine'), 0);
  assert.equal(await readFile(join(dir, 'ok.bin'), 'utf8'), 'fine');
});

test('disk writer: writes go to the thread once the writes of one second reach the threshold, and stay in order', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const h = await open(file, 'w+');
  t.after(() => h.close());
  const writer = new DiskWriter({ inlineBelowBytesPerSec: 100 * 1024 });
  const a = randomBytes(64 * 1024);
  const b = randomBytes(64 * 1024);
  await writer.write(h.fd, a, 0);
  assert.equal(writer.threadStarted, false, '64 KiB in this second: written here');
  const second = writer.write(h.fd, b, a.length);
  assert.equal(writer.threadStarted, true, '128 KiB in this second: the thread takes it');
  // An overlapping write while the thread holds one: it must queue behind it, not overtake it on this thread.
  const c = Buffer.from('last');
  await Promise.all([second, writer.write(h.fd, c, a.length)]);
  const onDisk = await readFile(file);
  assert.ok(onDisk.subarray(0, a.length).equals(a));
  assert.ok(onDisk.subarray(a.length, a.length + 4).equals(c), 'the later write lands last');
  assert.ok(onDisk.subarray(a.length + 4).equals(b.subarray(4)));
});

test('disk writer: the second before counts, so a fast stream does not come back to the calling thread as a window turns', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const h = await open(file, 'w+');
  t.after(() => h.close());
  let clock = 0;
  const writer = new DiskWriter({ inlineBelowBytesPerSec: 100 * 1024, slowWriteMs: 1e9, now: () => clock });
  await writer.write(h.fd, randomBytes(80 * 1024), 0);
  clock = 1100; // a new window: 80 KiB before it and 30 KiB in it reach the threshold
  await writer.write(h.fd, randomBytes(30 * 1024), 80 * 1024);
  assert.equal(writer.threadStarted, true);
  const quiet = new DiskWriter({ inlineBelowBytesPerSec: 100 * 1024, slowWriteMs: 1e9, now: () => clock });
  clock = 0;
  await quiet.write(h.fd, randomBytes(80 * 1024), 0);
  clock = 5000; // the window before this one was empty: the 80 KiB are long over
  await quiet.write(h.fd, randomBytes(30 * 1024), 80 * 1024);
  assert.equal(quiet.threadStarted, false);
});

test('disk writer: writes that wait on a slow disk twice in a row send every later write to the thread', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const h = await open(file, 'w+');
  t.after(() => h.close());
  // A clock that moves 25 ms between any two readings: every write made here looks slow.
  let clock = 0;
  const writer = new DiskWriter({ slowWriteMs: 20, now: () => (clock += 25) });
  await writer.write(h.fd, Buffer.from('first '), 0);
  await writer.write(h.fd, Buffer.from('second '), 6);
  assert.equal(writer.threadStarted, false);
  await writer.write(h.fd, Buffer.from('third'), 13);
  assert.equal(writer.threadStarted, true, 'the disk was slow twice: the thread takes the rest');
  assert.equal(await readFile(file, 'utf8'), 'first second third');
});

test('disk pace: a slow write between fast ones (a preempted process) is not a slow disk; two in a row are', () => {
  const pace = new DiskPace();
  for (const ms of [25, 0, 30, 1, 20, 19, 40]) pace.note(ms, 20);
  assert.equal(pace.slow, false);
  pace.note(20, 20);
  assert.equal(pace.slow, true);
  pace.note(0, 20);
  assert.equal(pace.slow, true, 'a slow disk stays slow');
});

test('the disk writer and the hash pool start their threads under `node --input-type=module -e` (options of the main script are not passed on)', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const writer = new URL('../../src/storage/disk-writer.js', import.meta.url).href;
  const pool = new URL('../../src/metainfo/index.js', import.meta.url).href;
  const script = `
    import { open } from 'node:fs/promises';
    import { DiskWriter } from ${JSON.stringify(writer)};
    import { sharedHashPool } from ${JSON.stringify(pool)};
    const h = await open(${JSON.stringify(file)}, 'w+');
    await new DiskWriter({ inlineBelowBytesPerSec: 0 }).write(h.fd, Buffer.from('written by the thread'), 0);
    await h.close();
    const { digest } = await sharedHashPool().sha1(Buffer.from('abc'));
    console.log(digest.toString('hex'));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(await readFile(file, 'utf8'), 'written by the thread');
});
