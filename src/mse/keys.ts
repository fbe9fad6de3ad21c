import { createDiffieHellman, createHash, type DiffieHellman } from 'node:crypto';
import { MseError } from './errors.js';
import { Rc4 } from './rc4.js';

// Message Stream Encryption (the Vuze/Azureus "MSE" specification, a.k.a. BitTorrent protocol encryption).

/** MSE: "P is the prime 0xFFFFFFFFFFFFFFFFC90FDAA2...0000000000090563" (768 bits), G = 2. */
export const DH_PRIME = Buffer.from(
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A36210000000000090563',
  'hex',
);
export const DH_GENERATOR = 2;
/** MSE: Ya and Yb are sent as 96-byte big-endian integers. */
export const DH_KEY_BYTES = 96;
/** MSE: private keys "should use a length of 160 bits whenever possible". */
export const PRIVATE_KEY_BYTES = 20;
/** MSE: PadA, PadB, PadC and PadD are each 0 to 512 bytes. */
export const MAX_PAD_BYTES = 512;
/** MSE: VC, the verification constant, is 8 zero bytes. */
export const VC_BYTES = 8;
/** MSE: "the first 1024 bytes of the RC4 output are discarded". */
export const RC4_DISCARD_BYTES = 1024;
/** MSE crypto_provide / crypto_select bits. */
export const CRYPTO_PLAINTEXT = 0x01;
export const CRYPTO_RC4 = 0x02;

const PRIME = BigInt(`0x${DH_PRIME.toString('hex')}`);

// Creating a DiffieHellman checks the prime (~20 ms); one instance is reused, its private key set before each
// use. Every use is synchronous, so no two handshakes interleave on it.
let shared: DiffieHellman | undefined;
function dh(privateKey: Buffer): DiffieHellman {
  shared ??= createDiffieHellman(DH_PRIME, DH_GENERATOR);
  shared.setPrivateKey(privateKey);
  return shared;
}

/** Left-pads a big-endian integer to `bytes` (OpenSSL drops leading zero bytes). */
function padTo(value: Buffer, bytes: number): Buffer {
  if (value.length === bytes) return value;
  const out = Buffer.alloc(bytes);
  value.copy(out, bytes - value.length);
  return out;
}

/** Y = G^X mod P for a private key X, as 96 bytes. */
export function publicKeyOf(privateKey: Buffer): Buffer {
  const d = dh(privateKey);
  d.generateKeys();
  return padTo(d.getPublicKey(), DH_KEY_BYTES);
}

/**
 * S = Y^X mod P, as 96 bytes. A public value outside 2..P-2 would make S trivial (0, 1 or ±1), so it is refused
 * with a typed error rather than left to OpenSSL's own checks.
 */
export function sharedSecret(privateKey: Buffer, remotePublic: Buffer): Buffer {
  const y = BigInt(`0x${remotePublic.toString('hex') || '0'}`);
  if (remotePublic.length !== DH_KEY_BYTES || y < 2n || y > PRIME - 2n) throw new MseError('MSE_BAD_KEY', "the peer's Diffie-Hellman public value is out of range");
  return padTo(dh(privateKey).computeSecret(remotePublic), DH_KEY_BYTES);
}

function sha1(...parts: (string | Buffer)[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** MSE step 3: HASH('req1', S), which the responder searches for to find the end of PadA. */
export function req1Hash(secret: Buffer): Buffer {
  return sha1('req1', secret);
}

/** MSE: HASH('req2', SKEY); SKEY is the torrent's info hash. */
export function req2Hash(infoHash: Buffer): Buffer {
  return sha1('req2', infoHash);
}

/** MSE step 3: HASH('req2', SKEY) xor HASH('req3', S), the torrent named without revealing its info hash. */
export function req2Xor3(infoHash: Buffer, secret: Buffer): Buffer {
  return xor(req2Hash(infoHash), sha1('req3', secret));
}

/** Recovers HASH('req2', SKEY) from the received req2 ^ req3 (xor is its own inverse). */
export function req2FromXor(received: Buffer, secret: Buffer): Buffer {
  return xor(received, sha1('req3', secret));
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** The two RC4 streams of a connection: one for what we send, one for what we receive. */
export interface CipherPair {
  encrypt: Rc4;
  decrypt: Rc4;
}

/**
 * MSE: the initiator A encrypts with RC4(HASH('keyA', S, SKEY)) and the responder B with RC4(HASH('keyB', S,
 * SKEY)), each stream after discarding its first 1024 bytes.
 */
export function cipherPair(secret: Buffer, infoHash: Buffer, role: 'initiator' | 'responder'): CipherPair {
  const a = new Rc4(sha1('keyA', secret, infoHash));
  const b = new Rc4(sha1('keyB', secret, infoHash));
  a.discard(RC4_DISCARD_BYTES);
  b.discard(RC4_DISCARD_BYTES);
  return role === 'initiator' ? { encrypt: a, decrypt: b } : { encrypt: b, decrypt: a };
}
