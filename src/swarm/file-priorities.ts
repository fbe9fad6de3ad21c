/**
 * File selection and file priorities turned into piece priorities for the picker. Pure.
 *
 * A file is unwanted, low, normal or high (Transmission's `files-unwanted`, `priority-low`, `-normal`, `-high`).
 * Piece priority 0 means "skip"; a wanted piece takes the highest priority of the wanted files it holds bytes of,
 * so a piece shared by a high and a low file is fetched as high (libtorrent and Transmission do the same).
 */

/** -1 low, 0 normal, 1 high. */
export type FilePriority = -1 | 0 | 1;

export const PIECE_PRIORITY = { skip: 0, low: 1, normal: 2, high: 3 } as const;

/** What the function needs of a torrent's layout (`PieceLayout` is one). */
export interface FilePieceRanges {
  readonly pieceCount: number;
  readonly files: readonly { readonly pad: boolean }[];
  /** First and last piece of a file, or undefined for an empty one. */
  piecesOfFile(fileIndex: number): [number, number] | undefined;
}

/**
 * One priority per piece. `wanted` lists the wanted files (undefined: every file); `priorities` maps a file index
 * to its priority (absent: normal). BEP 47 pad files never raise a piece's priority: nobody chose their zeros.
 */
export function piecePriorities(
  layout: FilePieceRanges,
  wanted: readonly number[] | undefined,
  priorities: Readonly<Record<number, FilePriority>> = {},
): Uint8Array {
  const out = new Uint8Array(layout.pieceCount);
  const files = wanted ?? layout.files.map((_, i) => i);
  for (const f of files) {
    if (layout.files[f]?.pad) continue;
    const range = layout.piecesOfFile(f);
    if (!range) continue;
    const p = PIECE_PRIORITY.normal + (priorities[f] ?? 0);
    for (let i = range[0]; i <= range[1]; i++) if (out[i]! < p) out[i] = p;
  }
  return out;
}
