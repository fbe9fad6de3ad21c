/**
 * Strict parsers for the response headers a web seed's answer is judged by. Pure; every input is hostile, so a
 * value is accepted only in its exact grammar, and numbers are bounded before use.
 */

export interface ContentRange {
  first: number;
  /** Inclusive (RFC 9110 §14.4). */
  last: number;
  /** The complete length, or undefined for "*". */
  complete: number | undefined;
}

// 15 digits stay below Number.MAX_SAFE_INTEGER (9.0e15): nothing bigger is a real file offset.
const DIGITS = '(\\d{1,15})';
const CONTENT_RANGE = new RegExp(`^bytes ${DIGITS}-${DIGITS}/(?:${DIGITS}|\\*)$`);

/** `bytes 0-99/1000` → {first: 0, last: 99, complete: 1000}; undefined when malformed or inconsistent. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (value === undefined || value.length > 100) return undefined;
  const m = CONTENT_RANGE.exec(value.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  const complete = m[3] === undefined ? undefined : Number(m[3]);
  // RFC 9110 §14.4: a valid byte-range-resp has first <= last < complete-length.
  if (last < first || (complete !== undefined && last >= complete)) return undefined;
  return { first, last, complete };
}

/** A Content-Length header as a number; undefined when absent, NaN when malformed (not one decimal number). */
export function parseContentLength(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
}

/**
 * RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. Returns milliseconds from `nowMs`, clamped to
 * [0, maxMs]; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, maxMs: number): number | undefined {
  if (value === undefined || value.length > 64) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (!Number.isFinite(at) || !/[A-Za-z]/.test(v)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}
