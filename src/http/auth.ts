/** HTTP Basic authentication (RFC 7617), compared in constant time so timing tells nothing about the secret. */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  user: string;
  pass: string;
}

/** Parses `USER:PASS` as given to `--auth`; the password may contain colons, the user may not (RFC 7617 §2). */
export function parseCredentials(text: string): BasicCredentials | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: text.slice(0, colon), pass: text.slice(colon + 1) };
}

/** Hashing both sides first makes the comparison constant time even when the lengths differ. */
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** A checker for one user; returns true when the Authorization header carries exactly those credentials. */
export function basicAuthChecker(expected: BasicCredentials): (authorization: string | undefined) => boolean {
  const want = digest(`${expected.user}:${expected.pass}`);
  return (authorization) => {
    if (authorization === undefined || authorization.length > 4096) return false;
    const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (!m) return false;
    const given = digest(Buffer.from(m[1]!, 'base64').toString('utf8'));
    return timingSafeEqual(given, want);
  };
}

/** RFC 7617 §2: the challenge, with the charset parameter of §2.1. */
export const BASIC_CHALLENGE = 'Basic realm="tandem", charset="UTF-8"';
