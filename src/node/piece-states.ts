import { Bitfield } from '../wire/index.js';

/** What a running swarm's picker tells about each piece: enough to draw have / downloading / available / missing. */
export interface PieceView {
  readonly pieceCount: number;
  readonly have: Bitfield;
  isStarted(index: number): boolean;
  availabilityOf(index: number): number;
}

/** The two piece sets the details panel adds to the verified bitfield, each a base64 bitfield (BEP 3 bit order). */
export interface PieceStates {
  /** Pieces under way: requested from a peer or a web seed, or being verified and written. */
  piecesDownloading: string;
  /** Pieces we lack, not under way, that at least one connected peer has. */
  piecesAvailable: string;
}

export const NO_PIECE_STATES: PieceStates = { piecesDownloading: '', piecesAvailable: '' };

/**
 * The states are exclusive (have, then downloading, then available, then missing), so a face draws four colours
 * from three bitfields. Built only for one torrent's details, never for the list: 100,000 pieces cost 25 KB of
 * base64 once a second for the torrent a person is looking at.
 */
export function pieceStates(view: PieceView | undefined): PieceStates {
  if (!view || view.pieceCount === 0) return NO_PIECE_STATES;
  const downloading = new Bitfield(view.pieceCount);
  const available = new Bitfield(view.pieceCount);
  for (let i = 0; i < view.pieceCount; i++) {
    if (view.have.has(i)) continue;
    if (view.isStarted(i)) downloading.set(i);
    else if (view.availabilityOf(i) > 0) available.set(i);
  }
  return { piecesDownloading: downloading.bytes.toString('base64'), piecesAvailable: available.bytes.toString('base64') };
}
