import type { Metainfo } from '../metainfo/index.js';
import { PieceLayout } from '../storage/index.js';
import type { Bitfield } from '../wire/index.js';

/** How much of a torrent is wanted and verified, from a bitfield: for torrents that are not running. Pure. */
export interface Progress {
  wantedBytes: number;
  verifiedBytes: number;
  piecesHave: number;
}

/** The pieces that touch a wanted file (all of them when `wanted` is null). */
export function wantedPieces(meta: Metainfo, layout: PieceLayout, wanted: number[] | null): Uint8Array {
  const out = new Uint8Array(meta.pieceCount);
  if (wanted === null) return out.fill(1);
  for (const f of wanted) {
    const range = f >= 0 && f < meta.files.length ? layout.piecesOfFile(f) : undefined;
    if (range) out.fill(1, range[0], range[1] + 1);
  }
  return out;
}

export function progressOf(meta: Metainfo, have: Bitfield | undefined, wanted: number[] | null): Progress {
  const layout = PieceLayout.of(meta);
  const want = wantedPieces(meta, layout, wanted);
  let wantedBytes = 0;
  let verifiedBytes = 0;
  for (let p = 0; p < meta.pieceCount; p++) {
    if (!want[p]) continue;
    const size = layout.pieceSize(p);
    wantedBytes += size;
    if (have?.has(p)) verifiedBytes += size;
  }
  return { wantedBytes, verifiedBytes, piecesHave: have?.count ?? 0 };
}

/** Bytes of each file that lie in verified pieces (pad files count as 0). */
export function fileProgress(meta: Metainfo, have: Bitfield | undefined): number[] {
  const pieceLength = meta.pieceLengthBytes;
  return meta.files.map((f) => {
    if (f.pad || f.length === 0 || !have) return 0;
    const first = Math.floor(f.offset / pieceLength);
    const last = Math.floor((f.offset + f.length - 1) / pieceLength);
    let bytes = 0;
    for (let p = first; p <= last; p++) {
      if (!have.has(p)) continue;
      const start = Math.max(f.offset, p * pieceLength);
      const end = Math.min(f.offset + f.length, (p + 1) * pieceLength);
      bytes += end - start;
    }
    return bytes;
  });
}
