/**
 * The bytes of a handshake not yet consumed, kept as the chunks they arrived in and joined only when a step needs
 * them contiguous, so a handshake fed one byte at a time costs no more than one fed at once.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The first `n` bytes (n ≤ length) as one view, not consumed. */
  peek(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** The first `n` bytes, consumed, as a copy the caller may decrypt in place; undefined until they have arrived. */
  take(n: number): Buffer | undefined {
    if (this.length < n) return undefined;
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.from(this.peek(n));
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    this.length -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length > n) {
        this.chunks[0] = first.subarray(n);
        return;
      }
      n -= first.length;
      this.chunks.shift();
    }
  }

  /** Everything left, consumed, as one buffer the caller owns. */
  rest(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.length = 0;
    return all;
  }
}
