import { TandemError } from '../util/errors.js';

export type MseErrorCode =
  | 'MSE_BAD_KEY' // the peer's Diffie-Hellman public value is outside 2..P-2
  | 'MSE_SYNC' // HASH('req1', S) or ENCRYPT(VC) was not found within the window the spec bounds (PadA/PadB ≤ 512)
  | 'MSE_UNKNOWN_TORRENT' // req2 ^ req3 names no torrent we serve
  | 'MSE_BAD_VC' // the verification constant did not decrypt to 8 zero bytes
  | 'MSE_BAD_LENGTH' // len(PadC) or len(PadD) over 512
  | 'MSE_NO_COMMON_METHOD' // crypto_provide offers nothing our policy accepts
  | 'MSE_BAD_SELECT' // crypto_select is not exactly one of the methods we provided
  | 'MSE_PLAINTEXT_REFUSED' // a plaintext BitTorrent handshake where our policy requires encryption
  | 'MSE_TIMEOUT' // the encryption handshake did not finish in time
  | 'MSE_CLOSED'; // the peer closed the connection during the encryption handshake

/** A peer broke the Message Stream Encryption handshake; the connection is dropped with this as the logged reason. */
export class MseError extends TandemError {
  constructor(code: MseErrorCode, message: string) {
    super(code, message, 'input');
    this.name = 'MseError';
  }
}
