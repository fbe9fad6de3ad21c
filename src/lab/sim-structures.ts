// The simulation's two data structures: the event queue and an uplink shared by its transfers.

/** A binary heap of slot completions, earliest first. */
export class EventHeap {
  private t: number[] = [];
  private v: number[] = [];
  get size(): number {
    return this.t.length;
  }
  push(time: number, value: number): void {
    const t = this.t;
    const v = this.v;
    let i = t.length;
    t.push(time);
    v.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      t[i] = t[p]!;
      v[i] = v[p]!;
      i = p;
    }
    t[i] = time;
    v[i] = value;
  }
  pop(): [number, number] {
    const t = this.t;
    const v = this.v;
    const top: [number, number] = [t[0]!, v[0]!];
    const lt = t.pop()!;
    const lv = v.pop()!;
    if (t.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= t.length) break;
        const r = l + 1;
        const m = r < t.length && t[r]! < t[l]! ? r : l;
        if (t[m]! >= lt) break;
        t[i] = t[m]!;
        v[i] = v[m]!;
        i = m;
      }
      t[i] = lt;
      v[i] = lv;
    }
    return top;
  }
}

/**
 * One host's uplink, shared equally by its transfers (TCP's fairness on one link): a virtual clock counts the
 * bytes each transfer has been given, so the next to end is the one with the smallest target.
 */
export class Uplink {
  v = 0;
  lastT = 0;
  version = 0;
  /** Transfers, sorted by the virtual time they end at. */
  readonly active: { target: number; to: number; piece: number }[] = [];
  constructor(
    readonly bytesPerS: number,
    readonly slots: number,
  ) {}

  advance(t: number): void {
    if (this.active.length) this.v += ((t - this.lastT) * this.bytesPerS) / this.active.length;
    this.lastT = t;
  }

  add(t: number, to: number, piece: number, bytes: number): void {
    this.advance(t);
    const target = this.v + bytes;
    let i = this.active.length;
    while (i > 0 && this.active[i - 1]!.target > target) i--;
    this.active.splice(i, 0, { target, to, piece });
  }

  nextEnd(): number {
    return this.active.length ? this.lastT + ((this.active[0]!.target - this.v) * this.active.length) / this.bytesPerS : Infinity;
  }
}

