import { Bitfield } from '../wire/index.js';

export interface PickerOptions {
  randomFirstPieces: number;
  sequential: boolean;
  /** Returns a float in [0, 1); injected so tests are repeatable. */
  random: () => number;
}

/** A peer's pieces as the picker sees them: a bitfield, or every piece (a seed, BEP 6 have-all). */
export type PeerPieces = Bitfield | 'all';

/**
 * Chooses which piece to start next. Pure and synchronous: it knows what we have, what we want (priority 0 means
 * skip), how many connected peers have each piece, and which pieces are already under way; nothing else.
 *
 * Order is one comparison chain (STYLE.md 7): higher priority, then (sequential mode) lower index, or (the first
 * few pieces) a random one, or the rarest; ties broken by a random salt fixed per piece.
 */
export class PiecePicker {
  readonly have: Bitfield;
  private readonly availability: Uint32Array;
  private readonly priority: Uint8Array;
  private readonly salt: Uint32Array;
  /** 1 for a piece under way. A byte per piece rather than a Set: `pick` reads it for every piece on each call. */
  private readonly started: Uint8Array;
  /**
   * Pieces we want and do not have, and of those the ones not under way, kept as counts: the swarm asks after
   * them for every piece it verifies and every request it sends, and counting by a scan made a download's
   * bookkeeping grow with the square of its pieces (80,000 pieces: 19 CPU-s for start, have and what is left).
   */
  private remainingCount: number;
  private unstartedCount: number;
  /** The highest priority any piece has: a peer's suggestion is followed only for pieces of this priority. */
  private topPriority = 1;
  /** Connected peers that have every piece; kept as one count rather than added to each piece. */
  private seeds = 0;

  constructor(
    readonly pieceCount: number,
    private readonly options: PickerOptions,
  ) {
    this.have = new Bitfield(pieceCount);
    this.availability = new Uint32Array(pieceCount);
    this.priority = new Uint8Array(pieceCount).fill(1);
    this.salt = new Uint32Array(pieceCount);
    this.started = new Uint8Array(pieceCount);
    for (let i = 0; i < pieceCount; i++) this.salt[i] = Math.floor(options.random() * 0xffffffff);
    this.remainingCount = pieceCount;
    this.unstartedCount = pieceCount;
  }

  setPriority(index: number, priority: number): void {
    this.priority[index] = priority;
    this.afterPriorityChange();
  }

  /** One priority per piece (0 skips it; higher is fetched first), as `piecePriorities` computes them. */
  setPriorities(priorities: Uint8Array): void {
    this.priority.set(priorities.subarray(0, this.pieceCount));
    this.afterPriorityChange();
  }

  /** After a change of priorities: the top one, and the counts, which depend on what is wanted. */
  private afterPriorityChange(): void {
    let top = 1;
    for (const p of this.priority) if (p > top) top = p;
    this.topPriority = top;
    let remaining = 0;
    let unstarted = 0;
    for (let i = 0; i < this.pieceCount; i++) {
      if (!this.wanted(i)) continue;
      remaining++;
      if (this.started[i] === 0) unstarted++;
    }
    this.remainingCount = remaining;
    this.unstartedCount = unstarted;
  }

  /**
   * Whether a piece a peer suggested (BEP 6) may be started ahead of the picker's own order: it is wanted, not
   * under way, and of the top priority. Never in sequential mode, where the order is the point.
   */
  followsSuggestion(index: number): boolean {
    return !this.options.sequential && this.wanted(index) && this.started[index] === 0 && this.priority[index] === this.topPriority;
  }

  wanted(index: number): boolean {
    return this.priority[index]! > 0 && !this.have.has(index);
  }

  /** A piece of the wanted files, had or not (priority above 0). */
  isWantedPiece(index: number): boolean {
    return this.priority[index]! > 0;
  }

  /** Pieces we still want and do not have. */
  remaining(): number {
    return this.remainingCount;
  }

  markHave(index: number): void {
    if (this.wanted(index)) {
      this.remainingCount--;
      if (this.started[index] === 0) this.unstartedCount--;
    }
    this.have.set(index);
    this.started[index] = 0;
  }

  /** A piece that failed its hash, or was lost, can be picked again. */
  markLost(index: number): void {
    const wasWanted = this.wanted(index);
    const wasStarted = this.started[index] === 1;
    this.have.clear(index);
    this.started[index] = 0;
    if (!this.wanted(index)) return;
    if (!wasWanted) this.remainingCount++;
    if (!wasWanted || wasStarted) this.unstartedCount++;
  }

  markStarted(index: number): void {
    if (this.started[index] === 1) return;
    this.started[index] = 1;
    if (this.wanted(index)) this.unstartedCount--;
  }

  unstart(index: number): void {
    if (this.started[index] === 0) return;
    this.started[index] = 0;
    if (this.wanted(index)) this.unstartedCount++;
  }

  isStarted(index: number): boolean {
    return this.started[index] === 1;
  }

  addPeer(pieces: PeerPieces): void {
    if (pieces === 'all') this.seeds++;
    else for (const i of pieces.indexes()) this.availability[i]!++;
  }

  removePeer(pieces: PeerPieces): void {
    if (pieces === 'all') this.seeds--;
    else for (const i of pieces.indexes()) this.availability[i]!--;
  }

  peerHave(index: number): void {
    this.availability[index]!++;
  }

  availabilityOf(index: number): number {
    return this.availability[index]! + this.seeds;
  }

  /** Whether every piece we still want is under way (none left to start, from any peer). */
  allStarted(): boolean {
    return this.unstartedCount === 0;
  }

  /** Whether the peer has something we want (drives our `interested` flag). */
  interesting(pieces: PeerPieces): boolean {
    if (this.remainingCount === 0) return false;
    if (pieces === 'all') return true;
    for (let i = 0; i < this.pieceCount; i++) if (this.wanted(i) && pieces.has(i)) return true;
    return false;
  }

  /** The best piece not yet started that the peer has, or undefined. */
  pick(pieces: PeerPieces): number | undefined {
    if (this.unstartedCount === 0) return undefined;
    const randomPhase = !this.options.sequential && this.have.count < this.options.randomFirstPieces;
    let best = -1;
    let bestPrio = 0;
    let bestOrder = 0;
    let bestSalt = 0;
    for (let i = 0; i < this.pieceCount; i++) {
      if (this.started[i] === 1 || !this.wanted(i) || (pieces !== 'all' && !pieces.has(i))) continue;
      // The comparison chain: higher priority, then lower order (index, nothing, or rarity), then the salt.
      const prio = this.priority[i]!;
      const order = this.options.sequential ? i : randomPhase ? 0 : this.availability[i]!;
      const salt = this.salt[i]!;
      if (best < 0 || prio > bestPrio || (prio === bestPrio && (order < bestOrder || (order === bestOrder && salt < bestSalt)))) {
        best = i;
        bestPrio = prio;
        bestOrder = order;
        bestSalt = salt;
      }
    }
    return best < 0 ? undefined : best;
  }
}
