import { pickEviction } from './eviction.js';
import type { Peer } from './peer.js';
import type { SwarmContext } from './swarm-context.js';

// Limits that keep a torrent's places for peers that use them (issue 16): who may join when it is full, and what
// happens to a peer that asks for blocks and does not read them.

/**
 * Whether a newcomer from `host` may join: under the cap per address, and under the cap of peers, or else (from a
 * new address) in the place of the least useful peer (eviction.ts), so idle or hostile peers cannot lock honest
 * ones out.
 */
export function makeRoomFor(t: SwarmContext, host: string): boolean {
  let fromHost = 0;
  for (const p of t.peers.values()) if (p.remoteHost === host) fromHost++;
  if (fromHost >= t.config.maxPeersPerAddress) return false;
  if (t.peers.size < t.config.maxPeers) return true;
  // Only an address we have no peer from may take a place: hostile hosts would otherwise evict one another so
  // fast that every peer stays too young to evict, and an honest newcomer never gets in.
  if (fromHost > 0) return false;
  const now = Date.now();
  const candidates = [...t.peers.values()].map((p) => ({
    key: p.key,
    connectedAtMs: p.connectedAtMs,
    lastBlockMs: p.lastExchangeMs,
    lastReceivedMs: p.conn.lastReceivedMs,
    peerInterested: p.peerInterested,
    amInterested: p.amInterested,
    stalledSinceMs: p.stalledSinceMs,
  }));
  const victim = pickEviction(candidates, now, t.config.eviction);
  if (victim === undefined) return false;
  t.peers.get(victim)!.conn.close('evicted: a newcomer took the place of this idle or unread peer');
  return true;
}

/**
 * A peer whose blocks stay in its socket does not read what it asked for: choked first (its slot goes to a peer
 * that reads), then dropped, so it holds neither a slot nor memory.
 */
export function checkStalled(t: SwarmContext, p: Peer, now: number): void {
  const flushed = p.conn.socket.bytesWritten;
  const moved = flushed !== p.flushedBytes;
  p.flushedBytes = flushed;
  // Slow is not stalled: a peer on a thin link drains a little every second.
  if (moved || p.conn.writableLength === 0) return void (p.stalledSinceMs = undefined);
  p.stalledSinceMs ??= now;
  const stalledMs = now - p.stalledSinceMs;
  if (stalledMs > t.config.stalledDropMs) p.conn.close('does not read what it asked for');
  else if (stalledMs > t.config.stalledChokeMs && !p.amChoking) t.choker.choke(p);
}
