/**
 * Strict parsers for the response headers a web seed's answer is judged by. Pure; every input is hostile, so a
 * value is accepted only in its exact grammar, and numbers are bounded before use.
 */

import { parseHttpDate } from '../http/http-date.js';

export { parseContentRange, type ContentRange } from '../http/content-range.js';

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
    const atSeconds = parseHttpDate(v, nowMs);
    if (atSeconds === undefined) return undefined;
    ms = atSeconds * 1000 - nowMs;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}
