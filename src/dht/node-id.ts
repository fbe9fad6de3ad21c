/**
 * Node ids and the XOR metric (BEP 5: "distance(A,B) = |A xor B|", smaller is closer). Ids are 20-byte buffers,
 * branded so that an id is not mixed up with an info hash by accident (both live in the same keyspace).
 */
import { DhtError } from './errors.js';

export type NodeId = Buffer & { readonly __brand: 'NodeId' };

export const ID_BYTES = 20;
export const ID_BITS = ID_BYTES * 8;

export function asNodeId(bytes: Buffer): NodeId {
  if (bytes.length !== ID_BYTES) throw new DhtError('KRPC_BAD_FIELD', `a node id is ${ID_BYTES} bytes, got ${bytes.length}`, 'input');
  return bytes as NodeId;
}

export function randomNodeId(randomBytes: (n: number) => Buffer): NodeId {
  return asNodeId(Buffer.from(randomBytes(ID_BYTES)));
}

/** The XOR distance between two ids, as 20 bytes (compare with `Buffer.compare`). */
export function distance(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Negative when `a` is closer to `target` than `b`, positive when farther, 0 when equal. */
export function compareDistance(target: Buffer, a: Buffer, b: Buffer): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const da = a[i]! ^ target[i]!;
    const db = b[i]! ^ target[i]!;
    if (da !== db) return da - db;
  }
  return 0;
}

/** How many leading bits two ids share (160 when equal). */
export function commonPrefixBits(a: Buffer, b: Buffer): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return ID_BITS;
}

/**
 * A random id that shares exactly `prefixBits` leading bits with `base` (the bit after the prefix differs), so it
 * falls in the bucket at that depth: what BEP 5's bucket refresh looks up.
 */
export function randomIdWithPrefix(base: Buffer, prefixBits: number, randomBytes: (n: number) => Buffer): NodeId {
  const out = Buffer.from(randomBytes(ID_BYTES));
  const bits = Math.min(prefixBits, ID_BITS);
  const full = bits >> 3;
  base.copy(out, 0, 0, full);
  const rem = bits & 7;
  if (full < ID_BYTES) {
    const keep = (0xff00 >> rem) & 0xff; // the top `rem` bits come from base
    out[full] = (base[full]! & keep) | (out[full]! & ~keep & 0xff);
    if (bits < ID_BITS) {
      const flip = 0x80 >> rem; // the first differing bit
      out[full] = (out[full]! & ~flip & 0xff) | (~base[full]! & flip & 0xff);
    }
  }
  return asNodeId(out);
}

export function idHex(id: Buffer): string {
  return id.toString('hex');
}
