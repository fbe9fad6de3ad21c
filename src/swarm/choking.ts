import { chooseUnchoked, pickOptimistic, type ChokeCandidate } from './choker.js';
import type { Peer } from './peer.js';
import { offerPieces, withdrawOffers } from './seed-suggest.js';
import type { SwarmContext } from './swarm-context.js';

/** What the pure choker sees of a peer. One whose blocks sit unread in its socket is not a candidate (issue 16). */
function candidate(p: Peer, nowMs: number): ChokeCandidate {
  return { id: p.key, interested: p.peerInterested && p.stalledSinceMs === undefined, downloadRate: p.down.rate(nowMs), uploadRate: p.up.rate(nowMs) };
}

/** Runs the pure choker every round and applies its answer; rotates the optimistic unchoke (BEP 3: every 30 s). */
export class ChokeRound {
  private optimistic?: string;
  private optimisticSinceMs = 0;

  constructor(private readonly t: SwarmContext) {}

  /** A newly interested peer is unchoked at once while a slot is free, rather than at the next round. */
  onInterested(peer: Peer): void {
    const unchoked = [...this.t.peers.values()].filter((p) => !p.amChoking).length;
    if (peer.amChoking && unchoked < this.t.config.uploadSlots) this.setChoked(peer, false);
  }

  round(nowMs: number): void {
    const t = this.t;
    const peers = [...t.peers.values()];
    const candidates = peers.map((p) => candidate(p, nowMs));
    if (!this.optimistic || !t.peers.has(this.optimistic) || nowMs - this.optimisticSinceMs >= t.config.optimisticIntervalMs) {
      const ranked = chooseUnchoked(candidates, { slots: Math.max(0, t.config.uploadSlots - 1), seeding: t.isDone });
      this.optimistic = pickOptimistic(candidates, ranked, t.random);
      this.optimisticSinceMs = nowMs;
    }
    const unchoke = chooseUnchoked(candidates, { slots: t.config.uploadSlots, seeding: t.isDone, optimistic: this.optimistic });
    for (const p of peers) this.setChoked(p, !unchoke.has(p.key));
  }

  /**
   * A peer we unchoked lost interest, or left: its slot goes at once to the interested peer that waits with the best
   * rate, instead of idling until the next round (near the end of a swarm, requests to a seed dry up that way).
   */
  onSlotFreed(peer?: Peer): void {
    if (peer) this.setChoked(peer, true);
    const now = Date.now();
    const peers = [...this.t.peers.values()];
    const free = this.t.config.uploadSlots - peers.filter((p) => !p.amChoking).length;
    if (free <= 0) return;
    // The same ranking as a round, among the peers that wait (the peer that freed the slot is not interested).
    const waiting = peers.filter((p) => p.amChoking).map((p) => candidate(p, now));
    for (const key of chooseUnchoked(waiting, { slots: free, seeding: this.t.isDone })) this.setChoked(this.t.peers.get(key)!, false);
  }

  /** Chokes a peer outside the rounds (it stopped reading what it asked for). */
  choke(peer: Peer): void {
    this.setChoked(peer, true);
  }

  private setChoked(peer: Peer, choked: boolean): void {
    if (peer.amChoking === choked) return;
    peer.amChoking = choked;
    peer.conn.send({ type: choked ? 'choke' : 'unchoke' });
    if (choked) {
      this.t.uploader.clearQueue(peer);
      withdrawOffers(this.t, peer);
    } else offerPieces(this.t, peer);
  }
}
