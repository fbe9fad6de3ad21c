// The one mutator every fuzz test and `npm run fuzz` share: deterministic from an xorshift seed, so a failure
// reproduces from its seed, and its input is saved besides (test/fixtures/fuzz/).
import { xorshift } from '../helpers/rng.js';

export type Rng = () => number;
export { xorshift };

// Values at the edges of the integer widths the codecs read (lengths, counts, ports, ids).
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x0d, 0x3a, 0x2d, 0x30, 0x39, 0x65, 0x69, 0x6c, 0x64];

/** `n` bytes from `next`. */
export function randomBytes(next: Rng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

/**
 * One to `maxOps` edits of `seed`: overwrite a byte (random, an edge value or a token's byte), insert or delete a
 * run, duplicate a run, truncate, or splice a token in (`tokens`: the grammar's words, `4:spam`, `\r\n`, `%`...).
 */
export function mutate(seed: Buffer, next: Rng, tokens: readonly string[] = [], maxOps = 4): Buffer {
  let b = Buffer.from(seed);
  for (let ops = 1 + (next() % maxOps); ops > 0; ops--) {
    const at = b.length === 0 ? 0 : next() % b.length;
    switch (next() % 8) {
      case 0:
        if (b.length) b[at] = next() & 0xff;
        break;
      case 1:
        if (b.length) b[at] = INTERESTING[next() % INTERESTING.length]!;
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), randomBytes(next, 1 + (next() % 16)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + (next() % 16))]);
        break;
      case 4: {
        const len = 1 + (next() % 32);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 5:
        b = b.subarray(0, next() % (b.length + 1));
        break;
      case 6:
        if (tokens.length) b = Buffer.concat([b.subarray(0, at), Buffer.from(tokens[next() % tokens.length]!, 'latin1'), b.subarray(at)]);
        break;
      default:
        // A big-endian length or count field set to an edge value.
        if (b.length >= at + 4) b.writeUInt32BE([0, 1, 0x7fffffff, 0xffffffff, 0x4000, b.length][next() % 6]! >>> 0, at);
    }
  }
  return b;
}

/** The next input for a decoder: mostly a mutated seed (sometimes mutated twice), one in eight random bytes. */
export function nextInput(seeds: readonly Buffer[], next: Rng, tokens: readonly string[] = [], maxRandomBytes = 256): Buffer {
  if (seeds.length === 0 || next() % 8 === 0) return randomBytes(next, next() % (maxRandomBytes + 1));
  const once = mutate(seeds[next() % seeds.length]!, next, tokens);
  return next() % 4 === 0 ? mutate(once, next, tokens) : once;
}
