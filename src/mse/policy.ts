import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from './keys.js';

/**
 * How a peer uses protocol encryption (`--encryption`):
 * - `allow`: plaintext and MSE both accepted incoming; dials in plaintext; as responder picks plaintext whenever
 *   the initiator offers it (no RC4 cost), RC4 otherwise.
 * - `prefer`: dials with MSE offering both methods and takes what the peer selects, redialling in plaintext if the
 *   MSE attempt fails; as responder picks RC4 when offered.
 * - `require`: MSE with RC4 only, both ways; plaintext handshakes are refused.
 */
export type EncryptionPolicy = 'allow' | 'prefer' | 'require';

export const ENCRYPTION_POLICIES: readonly EncryptionPolicy[] = ['allow', 'prefer', 'require'];

export function isEncryptionPolicy(value: string): value is EncryptionPolicy {
  return (ENCRYPTION_POLICIES as readonly string[]).includes(value);
}

/** Whether outgoing connections open with an MSE handshake. */
export function dialsEncrypted(policy: EncryptionPolicy): boolean {
  return policy !== 'allow';
}

/** Whether a failed MSE dial is retried at once in plaintext. */
export function fallsBackToPlaintext(policy: EncryptionPolicy): boolean {
  return policy === 'prefer';
}

/** Whether an incoming plaintext BitTorrent handshake is accepted. */
export function acceptsPlaintext(policy: EncryptionPolicy): boolean {
  return policy !== 'require';
}

/** crypto_provide for an MSE dial. */
export function provideFor(policy: EncryptionPolicy): number {
  return policy === 'require' ? CRYPTO_RC4 : CRYPTO_PLAINTEXT | CRYPTO_RC4;
}

/** crypto_select as responder, from the initiator's crypto_provide: one method bit, or 0 for none acceptable. */
export function selectFor(policy: EncryptionPolicy, provide: number): number {
  const plaintext = (provide & CRYPTO_PLAINTEXT) !== 0;
  const rc4 = (provide & CRYPTO_RC4) !== 0;
  if (policy === 'require') return rc4 ? CRYPTO_RC4 : 0;
  if (policy === 'prefer') return rc4 ? CRYPTO_RC4 : plaintext ? CRYPTO_PLAINTEXT : 0;
  return plaintext ? CRYPTO_PLAINTEXT : rc4 ? CRYPTO_RC4 : 0;
}
