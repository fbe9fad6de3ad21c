import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { checkExisting, FileStorage, MemoryStorage, PieceLayout, resumePath, saveResume, type PieceStorage } from '../../src/storage/index.js';
import { Bitfield } from '../../src/wire/index.js';
import type { Metainfo } from '../../src/metainfo/index.js';
import { makeTorrent, makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** The torrent's whole v1 stream as the source folder holds it (pad files as zeros). */
async function streamOf(src: string, meta: Metainfo): Promise<Buffer> {
  const parts = await Promise.all(meta.files.map((f) => (f.pad ? Buffer.alloc(f.length) : readFile(join(src, ...f.path)))));
  return Buffer.concat(parts);
}

test('layout: pieces split over files at the right offsets, empty files touched by none', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const layout = PieceLayout.of(meta);
  // a.bin is 40000 bytes: piece 2 (32768..49152) holds its last 7232 bytes, then b.bin's first 9152.
  assert.deepEqual(
    layout.spans(2, 0, 16384).map((s) => [meta.files[s.fileIndex]!.path.join('/'), s.fileOffset, s.length, s.bufferOffset]),
    [['a.bin', 32768, 7232, 0], ['sub/deep/b.bin', 0, 9152, 7232]],
  );
  assert.equal(layout.pieceSize(layout.pieceCount - 1), (40_000 + 70_001 + 12_345) % 16384);
  const emptyIndex = meta.files.findIndex((f) => f.length === 0);
  assert.equal(layout.piecesOfFile(emptyIndex), undefined);
  for (let p = 0; p < layout.pieceCount; p++) assert.ok(!layout.filesOfPiece(p).includes(emptyIndex));
});

for (const backend of ['file', 'memory'] as const) {
  for (const version of ['v1', 'hybrid'] as const) {
    test(`${backend} storage (${version}): every piece written then read back hashes right; pad files never on disk`, async (t) => {
      const dir = await tempDir(t);
      const src = await makeTree(dir);
      const { meta } = await makeTorrent(src, version);
      const stream = await streamOf(src, meta);
      const out = join(dir, 'out');
      const storage: PieceStorage = backend === 'file' ? new FileStorage(out, meta) : new MemoryStorage(meta);
      await storage.open(meta.files.map((_, i) => i));
      const layout = PieceLayout.of(meta);
      assert.equal(await storage.hashPiece(0).then((h) => h?.equals(meta.pieces!.subarray(0, 20))), backend === 'file' ? false : undefined);
      // Written in reverse order, in blocks, to show order does not matter.
      for (let p = layout.pieceCount - 1; p >= 0; p--) {
        const start = p * meta.pieceLengthBytes;
        for (let b = 0; b < layout.pieceSize(p); b += 16384) {
          await storage.write(p, b, stream.subarray(start + b, start + Math.min(b + 16384, layout.pieceSize(p))));
        }
      }
      for (let p = 0; p < layout.pieceCount; p++) {
        assert.deepEqual(await storage.hashPiece(p), meta.pieces!.subarray(p * 20, p * 20 + 20), `piece ${p}`);
      }
      assert.deepEqual(await storage.read(1, 100, 5000), stream.subarray(meta.pieceLengthBytes + 100, meta.pieceLengthBytes + 5100));
      await assert.rejects(storage.read(0, 16000, 1000), { code: 'STORAGE_RANGE' });
      await storage.close();
      if (backend === 'file') {
        assert.deepEqual(await treeHashes(join(out, meta.name)), await treeHashes(src));
        for (const f of meta.files.filter((x) => x.pad)) await assert.rejects(stat(join(out, meta.name, ...f.path)));
      }
    });
  }
}

test('file storage: files are created sparse at their full size, empty files included', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 40);
  const { meta } = await makeTorrent(src);
  const out = join(dir, 'out');
  const storage = new FileStorage(out, meta, { maxOpenFiles: 1 });
  await storage.open(meta.files.map((_, i) => i));
  for (const [i, f] of meta.files.entries()) {
    const s = await stat(storage.path(i));
    assert.equal(s.size, f.length);
    assert.ok(s.blocks * 512 < Math.max(f.length, 4096), `${f.path.join('/')} holds ${s.blocks * 512} bytes on disk: not sparse`);
  }
  await storage.close();
});

test('resume: a saved bitfield is trusted while files keep their mtimes; a touched file makes it hash again', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir);
  const { meta } = await makeTorrent(src);
  const stream = await streamOf(src, meta);
  const out = join(dir, 'out');
  const storage = new FileStorage(out, meta);
  const hash = meta.infoHashV1!;
  assert.equal((await checkExisting(out, meta, hash, storage)).source, 'empty');
  await storage.open(meta.files.map((_, i) => i));
  await storage.write(0, 0, stream.subarray(0, 16384));
  await storage.write(3, 0, stream.subarray(3 * 16384, 4 * 16384));
  const hashed = await checkExisting(out, meta, hash, storage);
  assert.equal(hashed.source, 'hashed');
  assert.equal(hashed.have.toString(), '10010000');

  // The resume file claims piece 1 too, which is not on disk: trusted only while mtimes match.
  await saveResume(out, meta, hash, Bitfield.fromString('11010000'));
  assert.equal((await checkExisting(out, meta, hash, storage)).source, 'resume');
  const later = new Date(Date.now() + 5000);
  await utimes(storage.path(0), later, later);
  const again = await checkExisting(out, meta, hash, storage);
  assert.deepEqual([again.source, again.have.toString()], ['hashed', '10010000']);
  await storage.close();
  assert.equal(createHash('sha1').update(stream.subarray(0, 16384)).digest().equals(meta.pieces!.subarray(0, 20)), true);
});

test('file storage: writes to one file land in the order issued, even many at once over the same bytes; a write outside the torrent is refused', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const out = join(dir, 'out');
  const storage = new FileStorage(out, meta);
  await storage.open(meta.files.map((_, i) => i));
  // 50 writes of piece 0 issued together, each a different fill byte: the last issued must be what stays on disk.
  await Promise.all(Array.from({ length: 50 }, (_, i) => storage.write(0, 0, Buffer.alloc(16384, i))));
  assert.deepEqual(await storage.read(0, 0, 16384), Buffer.alloc(16384, 49));
  // Refused before it is queued; the next write still lands.
  await assert.rejects(storage.write(meta.pieceCount, 0, Buffer.alloc(1)), { code: 'STORAGE_RANGE' });
  await storage.write(1, 0, Buffer.alloc(16384, 7));
  assert.deepEqual(await storage.read(1, 0, 16384), Buffer.alloc(16384, 7));
  await storage.close();
});

test('resume: a save that fails after its temporary file was made (a full disk, here a folder in the way) leaves no .tmp behind', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const out = join(dir, 'out');
  const hash = meta.infoHashV1!;
  // The rename onto a folder fails, as the write of a full disk does, once the temporary file exists.
  await mkdir(join(resumePath(out, hash), 'in-the-way'), { recursive: true });
  await assert.rejects(saveResume(out, meta, hash, Bitfield.fromString('11010000')));
  assert.deepEqual((await readdir(join(out, '.tandem'))).filter((f) => f.endsWith('.tmp')), []);
});
