import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';

/** The most allowed-fast pieces we keep from one peer: a hostile peer cannot grow the set without bound. */
export const MAX_ALLOWED_FAST_IN = 64;
/** The most suggested pieces (BEP 6 SUGGEST) we keep from one peer, newest kept. */
export const MAX_SUGGESTED_IN = 32;

/**
 * BEP 6 "Allowed Fast": the canonical set of `k` pieces a peer at `ip` may fetch from us while choked. Pure and
 * deterministic: x = (ip & 0xFFFFFF00) ‖ infohash; repeatedly x = SHA-1(x), and each of its five 32-bit big-endian
 * words modulo the piece count names a piece, duplicates skipped, until k are chosen. Peers on one /24 share a set,
 * so a host cannot widen it by reconnecting from neighbouring addresses. BEP 6 defines it for IPv4 only: other
 * addresses get none.
 */
export function allowedFastSet(ip: string, infoHash: Buffer, pieceCount: number, k: number): number[] {
  if (!isIPv4(ip) || pieceCount <= 0 || k <= 0) return [];
  const want = Math.min(k, pieceCount);
  let x: Buffer = Buffer.alloc(4 + infoHash.length);
  ip.split('.').slice(0, 3).forEach((octet, i) => (x[i] = Number(octet)));
  infoHash.copy(x, 4);
  const chosen: number[] = [];
  const seen = new Set<number>();
  // Bounded: each round draws five pieces; far more rounds than any k can need, even with many repeats.
  for (let round = 0; round < 64 * want && chosen.length < want; round++) {
    x = createHash('sha1').update(x).digest();
    for (let i = 0; i < 5 && chosen.length < want; i++) {
      const index = x.readUInt32BE(i * 4) % pieceCount;
      if (seen.has(index)) continue;
      seen.add(index);
      chosen.push(index);
    }
  }
  return chosen;
}

/** The /24 whose peers share one allowed-fast set (BEP 6), or undefined where BEP 6 defines none. */
export function allowedFastNetwork(ip: string): string | undefined {
  return isIPv4(ip) ? ip.split('.').slice(0, 3).join('.') : undefined;
}
