/**
 * Keys and signatures. Application manifests are signed with the project's Ed25519 key (`tandem compute keygen`),
 * whose private half can stay offline: the server needs only the public key, volunteers check every application
 * against it. Upload permits are MACs (HMAC-SHA-256) under a secret only the server holds: it alone issues and
 * checks them.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { ComputeError } from './errors.js';

export function generateSigningKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function loadPrivateKey(pem: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (err) {
    throw new ComputeError('COMPUTE_PROJECT', `signing key: ${(err as Error).message}`, 'input', { cause: err });
  }
}

export function loadPublicKey(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (err) {
    throw new ComputeError('COMPUTE_BAD_SIGNATURE', `project public key: ${(err as Error).message}`, 'input', { cause: err });
  }
}

export function signManifest(manifest: string, key: KeyObject): string {
  return sign(null, Buffer.from(manifest), key).toString('base64');
}

export function manifestSignatureValid(manifest: string, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(manifest), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The application manifest: the exact string signed, with the fields in a fixed order. */
export interface Manifest {
  app: string;
  version: number;
  wasmSha256: string;
  wasmBytes: number;
}

export function manifestString(m: Manifest): string {
  return JSON.stringify({ app: m.app, version: m.version, wasmSha256: m.wasmSha256, wasmBytes: m.wasmBytes });
}

/** A permit: `maxBytes.expiresMs.mac`, the MAC over the instance name and both numbers. */
export function issuePermit(secret: Buffer, instance: string, maxBytes: number, expiresMs: number): string {
  return `${maxBytes}.${expiresMs}.${permitMac(secret, instance, maxBytes, expiresMs)}`;
}

export function checkPermit(secret: Buffer, instance: string, permit: string, nowMs: number): { maxBytes: number } {
  const m = /^(\d{1,15})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(permit);
  const refuse = (why: string): ComputeError => new ComputeError('COMPUTE_BAD_PERMIT', `upload permit ${why}`, 'input');
  if (!m) throw refuse('is malformed');
  const maxBytes = Number(m[1]);
  const expiresMs = Number(m[2]);
  const expected = Buffer.from(permitMac(secret, instance, maxBytes, expiresMs));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse('is not valid for this instance');
  if (nowMs > expiresMs) throw refuse('has expired');
  return { maxBytes };
}

function permitMac(secret: Buffer, instance: string, maxBytes: number, expiresMs: number): string {
  return createHmac('sha256', secret).update(`tandem-permit\n${instance}\n${maxBytes}\n${expiresMs}`).digest('base64url');
}
