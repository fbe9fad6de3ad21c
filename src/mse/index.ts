/**
 * Message Stream Encryption (MSE, a.k.a. BitTorrent protocol encryption, PE): a Diffie-Hellman exchange that
 * hides the BitTorrent handshake, then optionally RC4 over the whole stream. Pure handshake roles
 * (`MseInitiator`, `MseResponder`) driven over a socket by `runHandshake`; `EncryptionPolicy` says which to use.
 *
 * @example
 *   const init = new MseInitiator({ infoHash, provide: provideFor('require'), initialPayload: encodeHandshake(local) });
 *   const done = await runHandshake(socket, init, { source: dataEvents(socket), timeoutMs: 10_000, first: init.start() });
 *   // done.cipher?.encrypt / decrypt apply to every later byte; done.payload holds bytes already decrypted.
 */
export { MseError, type MseErrorCode } from './errors.js';
export { Rc4 } from './rc4.js';
export {
  cipherPair,
  CRYPTO_PLAINTEXT,
  CRYPTO_RC4,
  DH_KEY_BYTES,
  DH_PRIME,
  MAX_PAD_BYTES,
  publicKeyOf,
  req1Hash,
  req2Hash,
  req2Xor3,
  sharedSecret,
  type CipherPair,
} from './keys.js';
export { MseInitiator, MAX_IA_BYTES, type InitiatorInit } from './initiator.js';
export { MseResponder, type ResponderInit } from './responder.js';
export { acceptsPlaintext, dialsEncrypted, ENCRYPTION_POLICIES, fallsBackToPlaintext, isEncryptionPolicy, provideFor, selectFor, type EncryptionPolicy } from './policy.js';
export { dataEvents, runHandshake, type ByteSource } from './socket.js';
export type { MseHandshake, MseResult, MseStep, RandomBytes } from './types.js';
