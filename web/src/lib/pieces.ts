// The piece bar's arithmetic: how much of the pieces under each pixel column the bitfield says are had.

/** For each of `width` columns, the fraction of its pieces that are set in the bitfield (BEP 3: high bit first). */
export function columnFractions(bitfield: Uint8Array, pieces: number, width: number): Float32Array {
  const out = new Float32Array(width);
  if (pieces === 0) return out;
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x * pieces) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * pieces) / width));
    let have = 0;
    for (let p = from; p < to; p++) if ((bitfield[p >> 3]! >> (7 - (p & 7))) & 1) have++;
    out[x] = have / (to - from);
  }
  return out;
}
