import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { basicAuthChecker, type BasicCredentials } from '../http/index.js';

/**
 * Who may talk to the control API (DESIGN §8):
 * - with `--rpc-auth USER:PASS`, Basic authentication on every path, compared in constant time;
 * - without it, `/api/*` needs the token from the state dir (`Authorization: Bearer`, or `?token=` for the
 *   WebSocket, which browsers open without headers), the Host header must be a loopback name or address (a DNS
 *   rebinding page gets 421), and the Transmission path is open to local programs, as transmission-daemon's
 *   default whitelist of 127.0.0.1 is;
 * - a browser's cross-origin request (an Origin that is not the API's own) gets 403 either way.
 */
export interface ApiAuth {
  /** Basic credentials, when `--rpc-auth` is given. */
  basic?: BasicCredentials;
  /** The token for `/api/*` without Basic authentication. */
  token: string;
}

export type AuthVerdict = { ok: true } | { ok: false; status: 401 | 403 | 421; reason: string };

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', 'ip6-localhost']);

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison of two strings (hashed first, so their lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The host part of a Host header value (`[::1]:9091` → `::1`). */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function isLoopbackHostName(host: string | undefined): boolean {
  if (!host) return false;
  if (LOOPBACK_NAMES.has(host)) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}

/** A browser's request from another origin: it carries an Origin whose host:port is not the Host it was sent to. */
export function isCrossOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== (req.headers.host ?? '').toLowerCase();
  } catch {
    return true; // "null" and other opaque origins
  }
}

/** One checker per credentials (it hashes the expected value once). */
const basicCheckers = new WeakMap<BasicCredentials, (authorization: string | undefined) => boolean>();

function basicOk(req: IncomingMessage, basic: BasicCredentials): boolean {
  let check = basicCheckers.get(basic);
  if (!check) {
    check = basicAuthChecker(basic);
    basicCheckers.set(basic, check);
  }
  return check(req.headers.authorization);
}

function bearerToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header && /^bearer /i.test(header)) return header.slice(7).trim();
  const fromHeader = req.headers['x-tandem-token'];
  if (typeof fromHeader === 'string') return fromHeader;
  return url.searchParams.get('token') ?? undefined;
}

/** Decides whether a request may go on. `needsToken`: an `/api/*` path (the page and Transmission's path do not). */
export function authorize(req: IncomingMessage, url: URL, auth: ApiAuth, needsToken: boolean): AuthVerdict {
  if (isCrossOrigin(req)) return { ok: false, status: 403, reason: 'cross-origin requests are refused' };
  if (auth.basic) {
    return basicOk(req, auth.basic) ? { ok: true } : { ok: false, status: 401, reason: 'authentication required' };
  }
  if (!isLoopbackHostName(hostOf(req.headers.host))) return { ok: false, status: 421, reason: 'this API answers only to a loopback Host (127.0.0.1, localhost, [::1])' };
  if (!needsToken) return { ok: true };
  const token = bearerToken(req, url);
  return token !== undefined && sameSecret(token, auth.token) ? { ok: true } : { ok: false, status: 401, reason: 'a valid token is required (the rpc-token file in the state dir)' };
}
