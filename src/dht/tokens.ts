/**
 * BEP 5 announce tokens: "the SHA1 hash of the IP address concatenated onto a secret that changes every five
 * minutes and tokens up to ten minutes old are accepted". Pure: time is passed in, randomness is injected.
 *
 * Two secrets are kept, the current one and the one before it. A secret is used to issue tokens for
 * `rotateMs` and then accepted for another `rotateMs`, so a token is accepted for at least `rotateMs` and at most
 * `acceptMs` (= 2 x rotateMs) after it was issued.
 */
import { createHash } from 'node:crypto';

export interface TokenOptions {
  tokenRotateMs: number;
  tokenAcceptMs: number;
}

const SECRET_BYTES = 16;
const TOKEN_BYTES = 8;

export class TokenPolicy {
  private current: Buffer;
  private previous: Buffer | undefined;
  private rotatedAtMs: number;
  private previousIssuedUntilMs = -Infinity;

  constructor(
    private readonly opts: TokenOptions,
    private readonly randomBytes: (n: number) => Buffer,
    nowMs: number,
  ) {
    this.current = randomBytes(SECRET_BYTES);
    this.rotatedAtMs = nowMs;
  }

  /** Rotates the secret when it is due; `issue` and `verify` call this themselves. */
  tick(nowMs: number): void {
    if (nowMs - this.rotatedAtMs < this.opts.tokenRotateMs) return;
    // If a long pause passed (a suspended laptop), more than one rotation is due: then old tokens all expire.
    const rotations = Math.floor((nowMs - this.rotatedAtMs) / this.opts.tokenRotateMs);
    this.previous = rotations === 1 ? this.current : undefined;
    this.previousIssuedUntilMs = this.rotatedAtMs + this.opts.tokenRotateMs;
    this.current = this.randomBytes(SECRET_BYTES);
    this.rotatedAtMs += rotations * this.opts.tokenRotateMs;
  }

  issue(ip: string, nowMs: number): Buffer {
    this.tick(nowMs);
    return tokenFor(ip, this.current);
  }

  verify(ip: string, token: Buffer, nowMs: number): boolean {
    this.tick(nowMs);
    if (token.length !== TOKEN_BYTES) return false;
    if (tokenFor(ip, this.current).equals(token)) return true;
    // A token from the previous secret is at most acceptMs old while now < (first issue with it) + acceptMs.
    if (this.previous && nowMs < this.previousIssuedUntilMs - this.opts.tokenRotateMs + this.opts.tokenAcceptMs) {
      return tokenFor(ip, this.previous).equals(token);
    }
    return false;
  }
}

function tokenFor(ip: string, secret: Buffer): Buffer {
  return createHash('sha1').update(ip).update(secret).digest().subarray(0, TOKEN_BYTES);
}
