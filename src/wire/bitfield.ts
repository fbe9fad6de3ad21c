/**
 * A set of piece indexes as BEP 3 sends it: the high bit of the first byte is piece 0. Spare bits at the end stay
 * zero (BEP 3: "spare bits at the end are set to zero").
 */
export class Bitfield {
  readonly bytes: Buffer;
  private setCount = 0;

  constructor(
    readonly size: number,
    bytes?: Buffer,
  ) {
    const want = Bitfield.byteLength(size);
    this.bytes = Buffer.alloc(want);
    if (bytes) {
      bytes.copy(this.bytes, 0, 0, want);
      for (let i = 0; i < size; i++) if (this.has(i)) this.setCount++;
    }
  }

  static byteLength(size: number): number {
    return (size + 7) >> 3;
  }

  /** True when the spare bits past `size` are all zero, as BEP 3 requires of a received bitfield. */
  static spareBitsClear(bytes: Buffer, size: number): boolean {
    const spare = bytes.length * 8 - size;
    if (spare <= 0) return true;
    const last = bytes[bytes.length - 1]!;
    return (last & ((1 << spare) - 1)) === 0;
  }

  static full(size: number): Bitfield {
    const b = new Bitfield(size);
    for (let i = 0; i < size; i++) b.set(i);
    return b;
  }

  has(index: number): boolean {
    return (this.bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number): void {
    if (index < 0 || index >= this.size || this.has(index)) return;
    this.bytes[index >> 3]! |= 0x80 >> (index & 7);
    this.setCount++;
  }

  clear(index: number): void {
    if (index < 0 || index >= this.size || !this.has(index)) return;
    this.bytes[index >> 3]! &= ~(0x80 >> (index & 7));
    this.setCount--;
  }

  get count(): number {
    return this.setCount;
  }

  get complete(): boolean {
    return this.setCount === this.size;
  }

  *indexes(): Generator<number> {
    for (let i = 0; i < this.size; i++) if (this.has(i)) yield i;
  }

  /** One char a piece, `1` or `0`; tests read and write bitfields as strings. */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.size; i++) s += this.has(i) ? '1' : '0';
    return s;
  }

  static fromString(text: string): Bitfield {
    const b = new Bitfield(text.length);
    for (let i = 0; i < text.length; i++) if (text[i] === '1') b.set(i);
    return b;
  }
}
