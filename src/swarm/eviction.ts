/**
 * Which connected peer gives its place to a newcomer when a torrent is full (issue 16), as a pure function: time
 * is passed in. Full slots must not lock honest peers out, so a newcomer may replace the least useful peer:
 * 1. one that does not read what it asked for (its upload stalled for `stalledMs`);
 * 2. one with no interest either way, once it had `graceMs` to say what it wants;
 * 3. one that has sent nothing at all for `silentMs`.
 * Within a class the one useful longest ago (or connected longest ago) goes first. A peer that exchanged a block
 * within `recentMs` is never evicted: it is the swarm doing its job.
 */
export interface EvictionCandidate {
  key: string;
  connectedAtMs: number;
  /** Last time a block went either way (0: never). */
  lastBlockMs: number;
  /** Last time the peer sent anything. */
  lastReceivedMs: number;
  peerInterested: boolean;
  amInterested: boolean;
  /** Since when our uploads to it have been stuck in its socket (undefined: they flow). */
  stalledSinceMs?: number;
}

export interface EvictionOptions {
  graceMs: number;
  stalledMs: number;
  silentMs: number;
  recentMs: number;
}

export const DEFAULT_EVICTION: EvictionOptions = { graceMs: 2_000, stalledMs: 5_000, silentMs: 60_000, recentMs: 30_000 };

/** The rank of a candidate: lower goes first; undefined when it keeps its place. */
function evictionClass(p: EvictionCandidate, nowMs: number, o: EvictionOptions): number | undefined {
  if (p.stalledSinceMs !== undefined && nowMs - p.stalledSinceMs >= o.stalledMs) return 0;
  if (p.lastBlockMs > 0 && nowMs - p.lastBlockMs < o.recentMs) return undefined;
  if (!p.peerInterested && !p.amInterested && nowMs - p.connectedAtMs >= o.graceMs) return 1;
  if (nowMs - p.lastReceivedMs >= o.silentMs) return 2;
  return undefined;
}

export function pickEviction(peers: Iterable<EvictionCandidate>, nowMs: number, options: EvictionOptions = DEFAULT_EVICTION): string | undefined {
  let best: { key: string; rank: number; sinceMs: number } | undefined;
  for (const p of peers) {
    const rank = evictionClass(p, nowMs, options);
    if (rank === undefined) continue;
    const sinceMs = Math.max(p.lastBlockMs, p.connectedAtMs);
    if (!best || rank < best.rank || (rank === best.rank && sinceMs < best.sinceMs)) best = { key: p.key, rank, sinceMs };
  }
  return best?.key;
}
