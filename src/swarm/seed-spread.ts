/**
 * How a seed hands out each piece once before it sends any piece twice (issue 13), without idling its uplink the
 * way super-seeding does. The seed still answers every request; it only steers what is asked for, with BEP 6
 * SUGGEST messages: each peer is offered the pieces it lacks that have gone out the fewest times, counting both the
 * copies started and the suggestions still out (so two peers are not offered the same piece at once). Peers that
 * follow suggestions (tandem, libtorrent) then fetch different pieces from the seed and trade them with each other.
 *
 * Pure and synchronous. A pick scans from a moving cursor and stops early once it has enough pieces at the lowest
 * count known, so it stays cheap on torrents of many pieces.
 */
export class SeedSpread {
  /** Copies started per piece, plus suggestions out (saturating at 255). */
  private readonly load: Uint8Array;
  /** How many pieces are at each load, so the lowest load is known without a scan. */
  private readonly atLoad = new Uint32Array(256);
  private floor = 0;
  private cursor: number;

  constructor(
    readonly pieceCount: number,
    random: () => number,
    private readonly maxScan = 2048,
  ) {
    this.load = new Uint8Array(pieceCount);
    this.atLoad[0] = pieceCount;
    // A random start, so two seeds of one torrent do not offer the same pieces first.
    this.cursor = Math.floor(random() * pieceCount);
  }

  loadOf(index: number): number {
    return this.load[index]!;
  }

  /** A copy of the piece started going out, or a suggestion of it was made: it is that much less wanted next. */
  add(index: number): void {
    const l = this.load[index]!;
    if (l === 255) return;
    this.move(index, l, l + 1);
    while (this.floor < 255 && this.atLoad[this.floor] === 0) this.floor++;
  }

  /** A suggestion withdrawn (the peer got the piece elsewhere, or left) without a copy sent. */
  remove(index: number): void {
    const l = this.load[index]!;
    if (l === 0) return;
    this.move(index, l, l - 1);
    this.floor = Math.min(this.floor, l - 1);
  }

  /**
   * Up to `count` pieces for which `lacks` is true, all at the lowest load among those seen; the cursor moves past
   * them, so the next peer is offered others.
   */
  pick(lacks: (index: number) => boolean, count: number): number[] {
    const n = this.pieceCount;
    if (n === 0 || count <= 0) return [];
    let level = Infinity;
    let best: number[] = [];
    for (let step = 0, scan = Math.min(n, this.maxScan); step < scan; step++) {
      const i = (this.cursor + step) % n;
      if (!lacks(i)) continue;
      const l = this.load[i]!;
      if (l < level) {
        level = l;
        best = [i];
      } else if (l === level && best.length < count) best.push(i);
      // Nothing can beat the lowest load there is.
      if (level <= this.floor && best.length === count) break;
    }
    if (best.length > 0) this.cursor = (best.at(-1)! + 1) % n;
    return best;
  }

  private move(index: number, from: number, to: number): void {
    this.load[index] = to;
    this.atLoad[from]!--;
    this.atLoad[to]!++;
  }
}
