/**
 * The `Content-Range` of a 206 answer (RFC 9110 §14.4), parsed strictly: every client that resumes or fetches
 * ranges (the HTTP downloader, the web-seed client) judges the server's answer by it. Pure.
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
