import { WireError } from './errors.js';

/**
 * Splits a byte stream into length-prefixed frames (BEP 3). A frame that lies inside one received chunk is
 * returned as a view of it (no copy); only a frame split across chunks is joined. The length prefix is checked
 * against `maxFrameBytes` before anything is buffered for it.
 */
export class Framer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(public maxFrameBytes: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * Copies whatever is buffered into memory the framer owns. For a reader that receives into one reused buffer:
   * its bytes are overwritten by the next read, so a frame not yet complete must not keep pointing into it.
   */
  detach(): void {
    if (this.buffered === 0) {
      this.chunks = [];
      return;
    }
    const own = Buffer.allocUnsafe(this.buffered);
    let at = 0;
    for (const c of this.chunks) at += c.copy(own, at);
    this.chunks = [own];
  }

  /** Takes exactly `n` bytes off the front (used for the 68-byte handshake), or undefined if fewer are buffered. */
  take(n: number): Buffer | undefined {
    if (this.buffered < n) return undefined;
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0]!;
        const use = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, use);
        filled += use;
        if (use === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(use);
      }
    }
    this.buffered -= n;
    return out;
  }

  /** The next frame's body (without its prefix), or undefined until it has fully arrived. */
  next(): Buffer | undefined {
    if (this.buffered < 4) return undefined;
    const length = this.peekLength();
    if (length > this.maxFrameBytes) throw new WireError('WIRE_TOO_LONG', `message of ${length} bytes; limit ${this.maxFrameBytes}`);
    if (this.buffered < 4 + length) return undefined;
    this.take(4);
    return length === 0 ? Buffer.alloc(0) : this.take(length);
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    const head = Buffer.alloc(4);
    let filled = 0;
    for (const c of this.chunks) {
      const use = Math.min(c.length, 4 - filled);
      c.copy(head, filled, 0, use);
      filled += use;
      if (filled === 4) break;
    }
    return head.readUInt32BE(0);
  }
}
