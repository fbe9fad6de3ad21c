import { createHash } from 'node:crypto';

/** BEP 52: files are hashed in 16 KiB blocks, the leaves of each file's merkle tree. */
export const BLOCK_BYTES = 16 * 1024;
export const HASH_BYTES = 32;
const ZERO_HASH: Buffer = Buffer.alloc(HASH_BYTES);

function sha256Pair(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(left).update(right).digest();
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The root of a tree over `count` hashes taken from `layer` (32 bytes each, concatenated), padded on the right
 * with `pad` up to `width` leaves, a power of two at least `count`.
 */
export function merkleRoot(layer: Buffer, width: number, pad: Buffer = ZERO_HASH): Buffer {
  const count = layer.length / HASH_BYTES;
  let level: Buffer[] = [];
  for (let i = 0; i < count; i++) level.push(layer.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  let padHash = pad;
  for (let w = width; w > 1; w /= 2) {
    const next: Buffer[] = [];
    for (let i = 0; i < w; i += 2) {
      const l = level[i] ?? padHash;
      const r = level[i + 1] ?? padHash;
      // Both halves padding: the parent is the next level's pad hash, so skip hashing past the data.
      if (i >= level.length) break;
      next.push(sha256Pair(l, r));
    }
    padHash = sha256Pair(padHash, padHash);
    level = next;
  }
  return level[0] ?? padHash;
}

/** The root of a subtree of zero leaves that covers `blocks` blocks (a power of two): a piece layer's pad. */
export function zeroSubtreeRoot(blocks: number): Buffer {
  let h: Buffer = ZERO_HASH;
  for (let w = blocks; w > 1; w /= 2) h = sha256Pair(h, h);
  return h;
}

/** From a file's leaf hashes, its pieces root and (for files over one piece) its piece layer. */
export function fileTree(leaves: Buffer, pieceLengthBytes: number): { root: Buffer; pieceLayer?: Buffer } {
  const blocks = leaves.length / HASH_BYTES;
  const blocksPerPiece = pieceLengthBytes / BLOCK_BYTES;
  if (blocks <= blocksPerPiece) return { root: merkleRoot(leaves, nextPowerOfTwo(blocks)) };
  const pieces = Math.ceil(blocks / blocksPerPiece);
  const layer = Buffer.alloc(pieces * HASH_BYTES);
  for (let p = 0; p < pieces; p++) {
    const slice = leaves.subarray(p * blocksPerPiece * HASH_BYTES, (p + 1) * blocksPerPiece * HASH_BYTES);
    merkleRoot(slice, blocksPerPiece).copy(layer, p * HASH_BYTES);
  }
  return { root: pieceLayerRoot(layer, pieceLengthBytes), pieceLayer: layer };
}

/** The pieces root implied by a piece layer, padded with the hash of a piece of zero leaves. */
export function pieceLayerRoot(layer: Buffer, pieceLengthBytes: number): Buffer {
  const pieces = layer.length / HASH_BYTES;
  return merkleRoot(layer, nextPowerOfTwo(pieces), zeroSubtreeRoot(pieceLengthBytes / BLOCK_BYTES));
}
