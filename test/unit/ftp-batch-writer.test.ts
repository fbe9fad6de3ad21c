// The STOR receiver's batches, fed as a socket with `onread` feeds them (a read lands where buffer() said, then
// callback). Written at once on the calling thread while the disk is fast; on the pool once it has been slow, where
// reads come faster than the file takes them, so reading must pause, resume and never overwrite a batch in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_BYTES, BatchWriter, MAX_BATCHES } from '../../src/ftp/batch-writer.js';
import { DiskPace, SLOW_WRITE_MS } from '../../src/util/write-all.js';

const paths: { name: string; disk: () => DiskPace; now?: () => number; pauses: boolean }[] = [
  { name: 'a fast disk: every batch written at once, reading never pauses', disk: () => new DiskPace(), pauses: false },
  { name: 'a slow disk: batches on the pool, reads pause when every batch waits and resume after a write', disk: () => new DiskPace(true), pauses: true },
  {
    name: 'a write that takes too long: the next ones go to the pool',
    disk: () => new DiskPace(),
    now: ((t = 0) => () => (t += SLOW_WRITE_MS))(),
    pauses: true,
  },
];

for (const path of paths) test(`batches, ${path.name}; the file gets every byte in order`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-batch-'));
  try {
    const disk = path.disk();
    const source = randomBytes(3 * MAX_BATCHES * BATCH_BYTES + 12_345);
    const file = await open(join(dir, 'out'), 'w');
    let resumed: () => void = () => undefined;
    let resumes = 0;
    let pauses = 0;
    const writer = new BatchWriter(file, 5, {
      resume: () => {
        resumes++;
        resumed();
      },
      fail: (err) => assert.fail(String(err)),
    }, disk, path.now);
    let at = 0;
    let view = writer.buffer();
    const sizes = [1, 70_000, 65_536, 300_000, 1_048_576, 4096];
    for (let i = 0; at < source.length && i < 100_000; i++) {
      // A read fills at most the view it was given, as a socket read does.
      const n = Math.min(sizes[i % sizes.length]!, view.length, source.length - at);
      source.copy(view, 0, at, at + n);
      at += n;
      const more = writer.callback(n, view);
      view = writer.buffer();
      if (!more) {
        pauses++;
        await new Promise<void>((r) => (resumed = r));
      }
    }
    await writer.finish();
    await file.close();
    assert.equal(resumes, pauses);
    assert.equal(pauses > 0, path.pauses, `paused ${pauses} times`);
    assert.equal(disk.slow, path.pauses);
    assert.equal(writer.written, source.length);
    const got = await readFile(join(dir, 'out'));
    assert.equal(got.length, 5 + source.length);
    assert.ok(got.subarray(5).equals(source));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

for (const slow of [false, true]) test(`batches: a failed write ${slow ? 'on the pool' : 'at once'} is reported at once and finish() rejects`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-batch-'));
  try {
    const path = join(dir, 'ro');
    await (await open(path, 'w')).close();
    const file = await open(path, 'r'); // writes fail with EBADF
    let failed: unknown;
    const writer = new BatchWriter(file, 0, { resume: () => undefined, fail: (err) => (failed = err) }, new DiskPace(slow));
    const view = writer.buffer();
    view.fill(7);
    writer.callback(view.length, view);
    await assert.rejects(writer.finish());
    assert.ok(failed instanceof Error);
    await file.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
