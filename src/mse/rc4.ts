/**
 * RC4, the stream cipher MSE uses (Node 20's OpenSSL keeps RC4 in its legacy provider, which is not loaded, so it
 * is written here; checked against RFC 6229's test vectors). `process` XORs the keystream into a buffer in place:
 * the same call encrypts and decrypts.
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    const s = this.s;
    for (let n = 0; n < 256; n++) s[n] = n;
    // Key-scheduling algorithm.
    for (let n = 0, j = 0; n < 256; n++) {
      const t = s[n]!;
      j = (j + t + key[n % key.length]!) & 255;
      s[n] = s[j]!;
      s[j] = t;
    }
  }

  /** XORs the next `end - start` keystream bytes into `buf[start..end)`, in place. */
  process(buf: Uint8Array, start = 0, end = buf.length): void {
    const s = this.s;
    let i = this.i;
    let j = this.j;
    for (let k = start; k < end; k++) {
      i = (i + 1) & 255;
      const si = s[i]!;
      j = (j + si) & 255;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      buf[k]! ^= s[(si + sj) & 255]!;
    }
    this.i = i;
    this.j = j;
  }

  /** Drops `n` bytes of keystream (MSE discards the first 1024). */
  discard(n: number): void {
    this.process(new Uint8Array(n));
  }
}
