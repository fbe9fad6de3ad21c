/**
 * Which piece, if any, to ask a web seed for (BEP 19 inside the swarm). Pure and synchronous (DESIGN.md §2,
 * layer 4): the state comes in through a narrow view and time as a number, so a unit test drives it step by step.
 *
 * The hybrid prefers peers, the origin is a backstop (issue 5: "the server is asked only for pieces no peer offers
 * soon enough"). A piece may go to a web seed when it is wanted, not had, not under way (no seed is fetching it, it
 * is not being verified or written, no peer is sending it: a piece whose peer requests went unanswered for
 * `graceMs` counts as not being sent), the seed can serve it now, and one of these holds:
 * - no useful peer at all (none connected, or none has unchoked us with something we want): ask at once;
 * - no connected peer has the piece: peers cannot give it, so waiting gains nothing;
 * - peers have it but none has been asked for it for `graceMs` since it was first seen waiting: peers are not
 *   getting to it soon enough;
 * - peers were asked for it but nothing of it was asked for or arrived for `graceMs` (a slow or stalled peer):
 *   the seed fetches it alongside, and whoever delivers first wins.
 * Among those, pieces no peer has come first, then the rarest; ties go in index order from just after the last
 * piece chosen, so successive requests ask for neighbouring ranges (friendly to the origin's read-ahead) and a
 * web-seed-only download finds its next piece without rescanning the torrent (O(1) per choice, not O(pieces)).
 */
import type { Blocker } from '../webseed/index.js';

/** What the policy may know of the swarm, read through callbacks so nothing is copied per decision. */
export interface WebSeedView {
  pieceCount: number;
  /** Wanted (priority above 0) and not had. */
  wanted(index: number): boolean;
  /** Under way, not to be touched: a seed is fetching it, or it is being verified or written. */
  busy(index: number): boolean;
  /** For a piece peers were asked for: when a block of it was last asked for or received; else undefined. */
  peerActivityMs(index: number): number | undefined;
  /** Connected peers that have the piece. */
  holders(index: number): number;
  /** Peers that have unchoked us and have something we want. */
  usefulPeers: number;
  /** Why the seed cannot serve this piece now (its file is missing on it, it ignores Range, ...). */
  blocker(index: number): Blocker | undefined;
}

export interface WebSeedPolicyOptions {
  /** How long a piece that peers have may wait for a peer before a web seed is asked for it. */
  graceMs: number;
  /** Seed blockers checked per decision at most, so a seed missing every file costs a bounded scan. */
  maxBlockerChecks: number;
}

export class WebSeedPolicy {
  /** Piece → when it was first seen wanted, idle and offered by peers. */
  private readonly waitingSince = new Map<number, number>();
  /** Where the next scan starts: just after the last piece chosen. */
  private cursor = 0;

  constructor(readonly options: WebSeedPolicyOptions) {}

  /** The piece to ask the seed for now, or undefined: nothing is due, or the seed can serve none of what is. */
  choose(view: WebSeedView, nowMs: number): number | undefined {
    const n = view.pieceCount;
    const rarest: { index: number; holders: number; order: number }[] = [];
    let checks = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.cursor + k) % n;
      if (!view.wanted(i) || view.busy(i)) {
        this.waitingSince.delete(i);
        continue;
      }
      const holders = view.holders(i);
      const activity = view.peerActivityMs(i);
      if (activity !== undefined) {
        // Peers were asked: only a piece they have left idle for the grace period is fair game.
        this.waitingSince.delete(i);
        if (nowMs - activity < this.options.graceMs) continue;
      } else if (view.usefulPeers > 0 && holders > 0 && !this.graceOver(i, nowMs)) continue;
      if (holders > 0) {
        rarest.push({ index: i, holders, order: k });
        continue;
      }
      // No peer has it: nothing can come before it, so the first one the seed serves is the answer.
      if (checks++ >= this.options.maxBlockerChecks) return undefined;
      if (view.blocker(i) === undefined) return this.chosen(i, n);
    }
    rarest.sort((a, b) => a.holders - b.holders || a.order - b.order);
    for (const { index } of rarest) {
      if (checks++ >= this.options.maxBlockerChecks) return undefined;
      if (view.blocker(index) === undefined) return this.chosen(index, n);
    }
    return undefined;
  }

  private chosen(index: number, pieceCount: number): number {
    this.cursor = (index + 1) % pieceCount;
    return index;
  }

  /** Starts a piece's grace clock on first sight; true once it has run out. */
  private graceOver(index: number, nowMs: number): boolean {
    const since = this.waitingSince.get(index);
    if (since === undefined) {
      this.waitingSince.set(index, nowMs);
      return this.options.graceMs <= 0;
    }
    return nowMs - since >= this.options.graceMs;
  }

  /**
   * Whether a seed fetch that has run since `startedMs` should also be offered to peers (a slow origin must not
   * hold a piece that peers could send): once it is older than the grace period and a useful peer has the piece.
   * Whoever delivers first wins; the other is aborted.
   */
  shouldShare(startedMs: number, nowMs: number, holders: number, usefulPeers: number): boolean {
    return usefulPeers > 0 && holders > 0 && nowMs - startedMs >= this.options.graceMs;
  }
}
