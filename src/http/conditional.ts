/**
 * Validators and conditional requests, RFC 9110 §8.8 and §13. Pure functions over header values. A date that is not
 * an HTTP-date (`http-date.ts`) makes its condition ignored, as §13.1.3-§13.1.5 require.
 */
import { parseHttpDate } from './http-date.js';

/** What a resource offers for validation. */
export interface Validators {
  /** A strong entity tag, quoted (`"1a2b-3c"`). */
  etag: string;
  /** Modification time, whole seconds since the epoch (HTTP dates have one-second resolution). */
  mtimeSeconds: number;
}

/** A strong ETag from size and modification time (§8.8.3: changes whenever the bytes may have changed). */
export function makeEtag(sizeBytes: number, mtimeMs: number): string {
  return `"${Math.floor(mtimeMs).toString(16)}-${sizeBytes.toString(16)}"`;
}

let lastDate = { seconds: NaN, text: '' };

/** IMF-fixdate (§5.6.7). The last one is kept: a busy file asks for the same date again and again. */
export function httpDate(seconds: number): string {
  if (seconds !== lastDate.seconds) lastDate = { seconds, text: new Date(seconds * 1000).toUTCString() };
  return lastDate.text;
}

/** The entity tags of an If-Match / If-None-Match list; `'*'` for the wildcard. Weak tags keep their `W/`. */
export function parseEtagList(value: string): string[] | '*' {
  if (value.trim() === '*') return '*';
  const tags: string[] = [];
  const re = /\s*((?:W\/)?"[^"]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (tags.length < 64 && (m = re.exec(value)) !== null && m[0] !== '') tags.push(m[1]!);
  return tags;
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** §8.8.3.2 weak comparison: opaque tags equal, weakness ignored. */
export function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

/** §8.8.3.2 strong comparison: both strong and equal. */
export function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

export type PreconditionResult = 'proceed' | 'not-modified' | 'failed';

export interface ConditionalHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

/**
 * Evaluates preconditions in the order of RFC 9110 §13.2.2 for a resource that exists. `safe` is true for GET and
 * HEAD: a failed If-None-Match or If-Modified-Since then means 304 rather than 412.
 */
export function evaluatePreconditions(h: ConditionalHeaders, v: Validators, safe: boolean): PreconditionResult {
  // Step 1: If-Match (strong comparison), else step 2: If-Unmodified-Since.
  if (h.ifMatch !== undefined) {
    const tags = parseEtagList(h.ifMatch);
    if (tags !== '*' && !tags.some((t) => strongMatch(t, v.etag))) return 'failed';
  } else if (h.ifUnmodifiedSince !== undefined) {
    const since = parseHttpDate(h.ifUnmodifiedSince);
    if (since !== undefined && v.mtimeSeconds > since) return 'failed';
  }
  // Step 3: If-None-Match (weak comparison), else step 4: If-Modified-Since, only for GET and HEAD.
  if (h.ifNoneMatch !== undefined) {
    const tags = parseEtagList(h.ifNoneMatch);
    if (tags === '*' || tags.some((t) => weakMatch(t, v.etag))) return safe ? 'not-modified' : 'failed';
  } else if (safe && h.ifModifiedSince !== undefined) {
    const since = parseHttpDate(h.ifModifiedSince);
    if (since !== undefined && v.mtimeSeconds <= since) return 'not-modified';
  }
  return 'proceed';
}

/**
 * §13.1.5 If-Range: the Range applies only if the validator still matches. An entity tag must match strongly; a
 * date must equal Last-Modified exactly. Anything else means "send the whole representation".
 */
export function ifRangeAllows(ifRange: string | undefined, v: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return strongMatch(value, v.etag);
  const date = parseHttpDate(value);
  return date !== undefined && date === v.mtimeSeconds;
}
