import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { cp, rm, truncate, open } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool, type Metainfo } from '../../src/metainfo/index.js';
import { checkExisting, FileStorage, filePath, verifyOnDisk } from '../../src/storage/index.js';
import { makeTorrent, makeTree } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

function pool(t: { after: (fn: () => Promise<void>) => void }, size: number): HashPool {
  const p = new HashPool(size);
  t.after(() => p.close());
  return p;
}

/** The pieces that file `fileIndex` of the torrent touches. */
function piecesOf(meta: Metainfo, fileIndex: number): Set<number> {
  const f = meta.files[fileIndex]!;
  const out = new Set<number>();
  for (let p = Math.floor(f.offset / meta.pieceLengthBytes); p * meta.pieceLengthBytes < f.offset + f.length; p++) out.add(p);
  return out;
}

test('hash pool: the SHA-1 of buffers it is handed, many at once; a buffer that owns its memory comes back moved, intact', async (t) => {
  const p = pool(t, 2);
  const pieces = Array.from({ length: 12 }, (_, i) => randomBytes(64 * 1024 + i));
  const copies = pieces.map((b) => Buffer.from(b));
  const results = await Promise.all(pieces.map((b) => p.sha1(b)));
  for (const [i, r] of results.entries()) {
    assert.deepEqual(r.digest, createHash('sha1').update(copies[i]!).digest());
    assert.deepEqual(r.data, copies[i], 'the buffer handed back holds the same bytes');
  }
  // Moved, not copied: the caller's own buffer is detached while the worker holds it.
  assert.equal(pieces[0]!.length, 0);
  // A small buffer shares Node's allocation pool: it must be copied, never detached with its neighbours.
  const small = Buffer.from('abc');
  const r = await p.sha1(small);
  assert.equal(small.toString(), 'abc');
  assert.equal(r.digest.toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});

test('hash pool: a closed pool rejects its queued jobs and new ones with a typed error', async (t) => {
  const p = pool(t, 1);
  const queued = Promise.allSettled(Array.from({ length: 4 }, () => p.sha1(randomBytes(1 << 20))));
  await p.close();
  const settled = await queued;
  assert.ok(settled.some((s) => s.status === 'rejected'), 'jobs still queued at close are rejected');
  await assert.rejects(p.sha1(Buffer.alloc(10)), { code: 'CREATE_IO' });
});

test('resume check in threads: a missing file, a short file and a flipped byte fail only their own pieces', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 8);
  const { meta } = await makeTorrent(src);
  const root = join(dir, 'copy');
  await cp(src, join(root, 'content'), { recursive: true });
  const all = await verifyOnDisk(root, meta, pool(t, 2));
  assert.equal(all.count, meta.pieceCount, 'an intact copy verifies whole');

  const names = meta.files.map((f) => f.path.join('/'));
  const missing = names.indexOf('a.bin');
  const short = names.indexOf('sub/deep/b.bin');
  const flipped = names.indexOf('z.bin');
  await rm(filePath(root, meta, missing));
  await truncate(filePath(root, meta, short), meta.files[short]!.length - 100);
  const h = await open(filePath(root, meta, flipped), 'r+');
  await h.write(Buffer.from([0xff ^ (await h.read(Buffer.alloc(1), 0, 1, 5)).buffer[0]!]), 0, 1, 5);
  await h.close();

  const progress: number[] = [];
  const have = await verifyOnDisk(root, meta, pool(t, 2), { onProgress: (checked) => progress.push(checked) });
  const bad = new Set([...piecesOf(meta, missing), [...piecesOf(meta, short)].at(-1)!, Math.floor((meta.files[flipped]!.offset + 5) / meta.pieceLengthBytes)]);
  for (let p = 0; p < meta.pieceCount; p++) assert.equal(have.has(p), !bad.has(p), `piece ${p}`);
  assert.equal(progress.at(-1), meta.pieceCount, 'progress reaches every piece');

  // The same through checkExisting, the path a torrent takes at start (no resume file: every piece hashed).
  const storage = new FileStorage(root, meta);
  await storage.open();
  const check = await checkExisting(root, meta, meta.infoHashV1!, storage, { pool: pool(t, 1) });
  await storage.close();
  assert.equal(check.source, 'hashed');
  assert.equal(check.have.toString(), have.toString());
});

test('resume check: an aborted signal stops it with its own reason', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 4);
  const { meta } = await makeTorrent(src);
  const reason = new Error('stop now');
  await assert.rejects(verifyOnDisk(dir, meta, pool(t, 1), { signal: AbortSignal.abort(reason) }), (err) => err === reason);
});
