import { MAX_PAD_BYTES } from './keys.js';
import type { RandomBytes } from './types.js';

/** MSE: PadA and PadB are "random data with a random length of 0 to 512 bytes each". */
export function randomPadBytes(random: RandomBytes): number {
  return random(2).readUInt16BE(0) % (MAX_PAD_BYTES + 1);
}
