// The piece bar's arithmetic: which state each pixel column shows, from the node's three bitfields.

/** A column's state: what the pieces under it mostly are, with pieces under way always shown. */
export const PieceState = { Missing: 0, Available: 1, Downloading: 2, Have: 3 } as const;

export interface PieceBits {
  have: Uint8Array;
  downloading: Uint8Array;
  available: Uint8Array;
}

export interface Columns {
  state: Uint8Array;
  /** For `Have` columns, the share of their pieces that are had (the bar shades partly had columns lighter). */
  haveFraction: Float32Array;
}

/** BEP 3 bit order: the high bit of byte 0 is piece 0. An absent (short) bitfield has nothing set. */
function bit(bits: Uint8Array, p: number): boolean {
  return (((bits[p >> 3] ?? 0) >> (7 - (p & 7))) & 1) === 1;
}

/**
 * For each of `width` columns: Downloading when any of its pieces is under way (so a piece being fetched shows
 * at any size), else Have when at least as many are had as are available from peers, else Available when a peer
 * has any, else Missing.
 */
export function columnStates(bits: PieceBits, pieces: number, width: number): Columns {
  const state = new Uint8Array(width);
  const haveFraction = new Float32Array(width);
  if (pieces === 0) return { state, haveFraction };
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x * pieces) / width);
    const to = Math.max(from + 1, Math.floor(((x + 1) * pieces) / width));
    let have = 0;
    let downloading = 0;
    let available = 0;
    for (let p = from; p < to; p++) {
      if (bit(bits.have, p)) have++;
      else if (bit(bits.downloading, p)) downloading++;
      else if (bit(bits.available, p)) available++;
    }
    if (downloading > 0) state[x] = PieceState.Downloading;
    else if (have > 0 && have >= available) state[x] = PieceState.Have;
    else if (available > 0) state[x] = PieceState.Available;
    haveFraction[x] = have / (to - from);
  }
  return { state, haveFraction };
}

/** How many pieces are set in a bitfield (the legend's counts). */
export function countBits(bits: Uint8Array, pieces: number): number {
  let n = 0;
  for (let p = 0; p < pieces; p++) if (bit(bits, p)) n++;
  return n;
}
