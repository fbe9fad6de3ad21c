import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileTree, pieceLayerRoot } from '../../src/metainfo/index.js';

const h = (...parts: Buffer[]): Buffer => parts.reduce((hash, p) => hash.update(p), createHash('sha256')).digest();
const Z = Buffer.alloc(32);

/** The BEP 52 tree computed the slow, obvious way: leaves padded with zero hashes to a power of two. */
function naiveRoot(leaves: Buffer[]): Buffer {
  let width = 1;
  while (width < leaves.length) width *= 2;
  let level = [...leaves, ...Array<Buffer>(width - leaves.length).fill(Z)];
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(h(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

test('pieces root of a file matches the naive tree for many leaf counts and piece lengths', () => {
  for (const pieceLength of [16384, 32768, 65536]) {
    for (const count of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33]) {
      const leaves = Array.from({ length: count }, (_, i) => h(Buffer.from([i, count])));
      const { root, pieceLayer } = fileTree(Buffer.concat(leaves), pieceLength);
      assert.deepEqual(root, naiveRoot(leaves), `count ${count} piece ${pieceLength}`);
      const blocksPerPiece = pieceLength / 16384;
      assert.equal(pieceLayer === undefined, count <= blocksPerPiece);
      if (pieceLayer) {
        assert.equal(pieceLayer.length, Math.ceil(count / blocksPerPiece) * 32);
        assert.deepEqual(pieceLayerRoot(pieceLayer, pieceLength), root);
      }
    }
  }
});

test('a single leaf is its own root', () => {
  const leaf = h(Buffer.from('x'));
  assert.deepEqual(fileTree(leaf, 16384).root, leaf);
});
