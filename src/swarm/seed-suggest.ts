import type { Peer } from './peer.js';
import type { SwarmContext } from './swarm-context.js';

/**
 * The seed's side of `SeedSpread` (seed-spread.ts): the SUGGEST messages (BEP 6) that steer each unchoked peer
 * towards the pieces that went out least. A seed keeps a few suggestions ahead of what each peer is fetching from
 * it (two more than the pieces in its request queue, at most `suggestPieces`: fewer and the peer's picker fills its
 * pipeline with pieces others are fetching too; many more and every piece is promised to several peers), and tops
 * them up as the peer fetches them; a peer that gets a suggested piece elsewhere, is choked or leaves gives its
 * suggestions back. Only a complete seed suggests (it has every piece to offer), only to fast-extension peers.
 */

/** Tops up the peer's suggestions. */
export function offerPieces(t: SwarmContext, peer: Peer): void {
  const spread = t.spread;
  const pieces = peer.pieces;
  const want = Math.min(t.config.suggestPieces, piecesQueued(peer) + 2) - peer.suggestedOut.size;
  if (!spread || want <= 0 || !t.picker?.have.complete || !peer.fast || peer.amChoking || !pieces || pieces === 'all' || !peer.conn.isOpen) return;
  const picked = spread.pick((i) => !pieces.has(i) && !peer.suggestedOut.has(i), want);
  if (picked.length === 0) return;
  peer.conn.cork();
  for (const i of picked) {
    peer.suggestedOut.add(i);
    spread.add(i);
    peer.conn.send({ type: 'suggest', index: i });
  }
  peer.conn.uncork();
}

/** A copy of a piece started going out to the peer (its first block was sent). */
export function copySent(t: SwarmContext, peer: Peer, index: number): void {
  if (!t.spread) return;
  // A suggested piece was counted when it was suggested.
  if (!peer.suggestedOut.delete(index)) t.spread.add(index);
  offerPieces(t, peer);
}

/** The peer got a piece (a HAVE): a suggestion of it is void. */
export function pieceArrived(t: SwarmContext, peer: Peer, index: number): void {
  if (!peer.suggestedOut.delete(index)) return;
  t.spread?.remove(index);
  offerPieces(t, peer);
}

/** The peer was choked or left: its suggestions go back. */
export function withdrawOffers(t: SwarmContext, peer: Peer): void {
  for (const i of peer.suggestedOut) t.spread?.remove(i);
  peer.suggestedOut.clear();
}

/** Distinct pieces in the peer's request queue (requests come piece by piece, so a change of index is a new one). */
function piecesQueued(peer: Peer): number {
  let n = 0;
  let last = -1;
  const q = peer.uploadQueue;
  for (let i = 0; i < q.length && n < 64; i++) {
    if (q[i]!.index !== last) n++;
    last = q[i]!.index;
  }
  return n;
}
