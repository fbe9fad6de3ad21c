import { WireError } from './errors.js';

/** BEP 3: the protocol string, prefixed by its length (19). */
export const PROTOCOL = Buffer.from('BitTorrent protocol', 'latin1');
export const HANDSHAKE_BYTES = 1 + 19 + 8 + 20 + 20;

export interface Handshake {
  infoHash: Buffer;
  peerId: Buffer;
  /** BEP 10: reserved byte 5, bit 0x10. */
  extended: boolean;
  /** BEP 6: reserved byte 7, bit 0x04. */
  fast: boolean;
  /** BEP 5: reserved byte 7, bit 0x01 (the peer answers the PORT message). */
  dht: boolean;
}

export function encodeHandshake(h: Handshake): Buffer {
  if (h.infoHash.length !== 20 || h.peerId.length !== 20) throw new RangeError('info hash and peer id must be 20 bytes');
  const out = Buffer.alloc(HANDSHAKE_BYTES);
  out[0] = 19;
  PROTOCOL.copy(out, 1);
  if (h.extended) out[20 + 5] = 0x10;
  out[20 + 7] = (h.fast ? 0x04 : 0) | (h.dht ? 0x01 : 0);
  h.infoHash.copy(out, 28);
  h.peerId.copy(out, 48);
  return out;
}

/** Decodes the first 68 bytes of `bytes`; the caller waits until that many have arrived. */
export function decodeHandshake(bytes: Buffer): Handshake {
  if (bytes.length < HANDSHAKE_BYTES) throw new WireError('WIRE_BAD_HANDSHAKE', `handshake is ${bytes.length} bytes, not ${HANDSHAKE_BYTES}`);
  if (bytes[0] !== 19 || !bytes.subarray(1, 20).equals(PROTOCOL)) throw new WireError('WIRE_BAD_HANDSHAKE', 'not a BitTorrent handshake');
  return {
    extended: (bytes[25]! & 0x10) !== 0,
    fast: (bytes[27]! & 0x04) !== 0,
    dht: (bytes[27]! & 0x01) !== 0,
    infoHash: Buffer.from(bytes.subarray(28, 48)),
    peerId: Buffer.from(bytes.subarray(48, 68)),
  };
}
