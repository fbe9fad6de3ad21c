// The seed's choking in the simulation: which clients it uploads to, when a freed slot is given again, and the
// BEP 6 allowed-fast pieces it sends to clients it chokes. Pure; the swarm calls it on joins, finishes, rounds.

/** The seed's choking as tandem has it (src/swarm/defaults.ts: uploadSlots, allowedFast*). */
export interface SeedChoke {
  /** Seconds between choke rounds (tandem: 10). */
  roundS: number;
  /** Clients unchoked at once (tandem's uploadSlots: 8). */
  unchokeSlots: number;
  /** A slot freed by a finished client is given at once (tandem now), or waits for the next round (before). */
  freeSlotAtOnce: boolean;
  /** Pieces in an allowed-fast set (tandem: 10); every client of one /24 has the same set. */
  allowedFastPieces: number;
  /** Clients of the /24 granted the set (tandem now: 2; Infinity before); the lab's clients share one /24. */
  allowedFastPeers: number;
}

/** tandem's seed today. */
export const TANDEM_SEED_CHOKE: SeedChoke = { roundS: 10, unchokeSlots: 8, freeSlotAtOnce: true, allowedFastPieces: 10, allowedFastPeers: 2 };
/** tandem's seed before the two policies of December 2026 (the one `docs/lab/measured-after/` measured). */
export const EARLIER_SEED_CHOKE: SeedChoke = { ...TANDEM_SEED_CHOKE, freeSlotAtOnce: false, allowedFastPeers: Infinity };
export const SEED_POLICIES = { now: TANDEM_SEED_CHOKE, before: EARLIER_SEED_CHOKE } as const;
export type SeedPolicyEra = keyof typeof SEED_POLICIES;

/**
 * The seed's unchoked set and allowed-fast grants. A client that joins takes a free slot at once; a finished
 * client frees its slot, given at once or at the next round; a client holding a grant asks the seed for its
 * allowed-fast pieces (one at a time, those it lacks), which the seed sends besides its other uploads.
 */
export class SeedChoker {
  readonly unchoked: Uint8Array;
  /** The same clients as a list, for the seed's choice of receiver (N may be 10,000). */
  readonly unchokedList: number[] = [];
  private readonly waiting: number[] = [];
  private readonly granted: Uint8Array;
  /** The clients holding a grant, in the order they joined. */
  readonly grantees: number[] = [];
  private count = 0;
  /** The /24's allowed-fast set. */
  readonly fastSet: number[];
  /** The allowed-fast piece + 1 on its way to each client, 0 for none. */
  readonly fastInFlight: Int32Array;

  constructor(
    clients: number,
    pieces: number,
    readonly cfg: SeedChoke,
    random: () => number,
  ) {
    this.unchoked = new Uint8Array(clients + 1);
    this.granted = new Uint8Array(clients + 1);
    this.fastInFlight = new Int32Array(clients + 1);
    const set = new Set<number>();
    for (let k = 0; set.size < Math.min(cfg.allowedFastPieces, pieces) && k < 100 * pieces; k++) set.add(Math.floor(random() * pieces));
    this.fastSet = [...set];
  }

  join(to: number): void {
    if (this.grantees.length < this.cfg.allowedFastPeers) {
      this.granted[to] = 1;
      this.grantees.push(to);
    }
    if (this.count < this.cfg.unchokeSlots) this.unchoke(to);
    else this.waiting.push(to);
  }

  /** A client has every piece: it stops being interested and frees its slot. */
  finish(to: number): void {
    const i = this.waiting.indexOf(to);
    if (i >= 0) this.waiting.splice(i, 1);
    if (!this.unchoked[to]) return;
    this.unchoked[to] = 0;
    this.unchokedList.splice(this.unchokedList.indexOf(to), 1);
    this.count--;
    if (this.cfg.freeSlotAtOnce) this.round();
  }

  /** A choke round: free slots go to waiting clients, first come first. */
  round(): void {
    while (this.count < this.cfg.unchokeSlots && this.waiting.length) this.unchoke(this.waiting.shift()!);
  }

  /**
   * The allowed-fast piece `to` asks the seed for now, or -1 (no grant, one already coming, none lacking). The set
   * comes with the handshake, before any unchoke, and a client asks for those pieces first whether choked or not.
   */
  fastPiece(to: number, lacks: (p: number) => boolean): number {
    if (!this.granted[to] || this.fastInFlight[to]) return -1;
    for (const p of this.fastSet) if (lacks(p)) return p;
    return -1;
  }

  private unchoke(to: number): void {
    this.unchoked[to] = 1;
    this.unchokedList.push(to);
    this.count++;
  }
}
