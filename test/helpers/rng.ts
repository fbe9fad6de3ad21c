/** A deterministic xorshift32 generator, so a fuzz failure reproduces from its seed. */
export function xorshift(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
