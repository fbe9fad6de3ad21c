import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskWriteError, DiskWriter, WRITE_CALL_BYTES } from '../../src/storage/disk-writer.js';
import { tempDir } from '../helpers/tmp.js';

test('disk writer: shared and ordinary buffers land at their positions, in several calls when large; neither is detached', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const h = await open(file, 'w+');
  t.after(() => h.close());
  const writer = new DiskWriter();
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
});

test('disk writer: a failed write rejects with the system error code, and the next write still works', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'ro.bin');
  await writeFile(file, 'x');
  const readOnly = await open(file, 'r');
  t.after(() => readOnly.close());
  const writer = new DiskWriter();
  await assert.rejects(writer.write(readOnly.fd, Buffer.from('data'), 0), (err: unknown) => err instanceof DiskWriteError && err.code === 'EBADF');
  const ok = await open(join(dir, 'ok.bin'), 'w+');
  t.after(() => ok.close());
  await writer.write(ok.fd, Buffer.from('fine'), 0);
  assert.equal(await readFile(join(dir, 'ok.bin'), 'utf8'), 'fine');
});

test('the disk writer and the hash pool start their threads under `node --input-type=module -e` (options of the main script are not passed on)', async (t) => {
  const file = join(await tempDir(t), 'out.bin');
  const writer = new URL('../../src/storage/disk-writer.js', import.meta.url).href;
  const pool = new URL('../../src/metainfo/index.js', import.meta.url).href;
  const script = `
    import { open } from 'node:fs/promises';
    import { sharedDiskWriter } from ${JSON.stringify(writer)};
    import { sharedHashPool } from ${JSON.stringify(pool)};
    const h = await open(${JSON.stringify(file)}, 'w+');
    await sharedDiskWriter().write(h.fd, Buffer.from('written by the thread'), 0);
    await h.close();
    const { digest } = await sharedHashPool().sha1(Buffer.from('abc'));
    console.log(digest.toString('hex'));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(await readFile(file, 'utf8'), 'written by the thread');
});
