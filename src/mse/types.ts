import type { CipherPair } from './keys.js';

/** What an encryption handshake settled on, once it is over. */
export interface MseResult {
  /** MSE crypto_select: the payload stream is RC4-encrypted, or plaintext after the handshake. */
  method: 'plaintext' | 'rc4';
  /** SKEY: the info hash of the torrent the connection is for. */
  infoHash: Buffer;
  /** For `rc4`, the streams to apply to everything sent and received from now on. */
  cipher?: CipherPair;
  /**
   * Payload bytes already received, decrypted: for the responder the initiator's IA (usually its BitTorrent
   * handshake) and whatever followed it; for the initiator what followed PadD. Owned by the caller.
   */
  payload: Buffer;
}

/** One step of a handshake: bytes to send now, and the result once the handshake is over. */
export interface MseStep {
  send: Buffer[];
  done?: MseResult;
}

/** A pure handshake role: fed the bytes that arrive, it answers with bytes to send. No sockets, no timers. */
export interface MseHandshake {
  /** Takes ownership of `chunk`. Throws `MseError` when the peer breaks the protocol. */
  receive(chunk: Buffer): MseStep;
}

/** Where the randomness of a handshake comes from (STYLE.md 16: tests pass their own). */
export type RandomBytes = (n: number) => Buffer;
