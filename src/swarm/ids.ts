import { randomBytes } from 'node:crypto';

/** Azureus-style peer id (BEP 20): `-TD0100-` then 12 random bytes. */
export function makePeerId(): Buffer {
  return Buffer.concat([Buffer.from('-TD0100-', 'latin1'), randomBytes(12)]);
}
