/**
 * Byte ranges, RFC 9110 §14: parse a `Range` header against a representation length, decide 200/206/416, and
 * frame several ranges as multipart/byteranges (RFC 9110 §14.6). Pure: no sockets, no files.
 */
import { HTTP_DEFAULTS } from './defaults.js';

/** An inclusive byte range [start, end] inside a representation. */
export interface ByteRange {
  start: number;
  end: number;
}

export type RangeDecision =
  | { kind: 'full' } // no Range, an unparseable one, or one we choose to ignore: send 200 with the whole body
  | { kind: 'partial'; ranges: ByteRange[] } // 206 with one range or multipart/byteranges
  | { kind: 'unsatisfiable' }; // 416 with `Content-Range: bytes */size`

const MAX_RANGE_HEADER_CHARS = 4096;

/**
 * Evaluates a Range header (RFC 9110 §14.2). A syntactically invalid header is ignored (§14.2: "a server MAY
 * ignore the Range header field"), as is one with more than `maxRanges` parts. Overlapping parts that would send
 * more bytes than the file holds are coalesced (§14.2 allows it), so a request cannot amplify a file.
 */
export function decideRange(header: string | undefined, size: number, maxRanges: number = HTTP_DEFAULTS.maxRanges): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const specs = parseRangeHeader(header);
  if (specs === undefined || specs.length > maxRanges) return { kind: 'full' };
  const ranges: ByteRange[] = [];
  for (const spec of specs) {
    const r = resolveSpec(spec, size);
    if (r) ranges.push(r);
  }
  // §14.2: satisfiable if at least one range is; otherwise 416 (§15.5.17).
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  const total = ranges.reduce((sum, r) => sum + (r.end - r.start + 1), 0);
  return { kind: 'partial', ranges: total > size ? coalesce(ranges) : ranges };
}

/** One range-spec as written: `first-last`, `first-` or `-suffix`. */
export type RangeSpec = { first: number; last?: number } | { suffix: number };

/** Parses `bytes=...` into specs, or undefined when the header breaks the grammar of RFC 9110 §14.1.1. */
export function parseRangeHeader(header: string): RangeSpec[] | undefined {
  if (header.length > MAX_RANGE_HEADER_CHARS) return undefined;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return undefined;
  const specs: RangeSpec[] = [];
  for (const raw of m[1]!.split(',')) {
    const part = raw.trim();
    if (part === '') continue; // §5.6.1: empty list elements are allowed and ignored
    const spec = parseSpec(part);
    if (!spec) return undefined;
    specs.push(spec);
  }
  return specs.length > 0 ? specs : undefined;
}

const DIGITS = /^\d{1,16}$/;

function parseSpec(part: string): RangeSpec | undefined {
  const dash = part.indexOf('-');
  if (dash < 0) return undefined;
  const a = part.slice(0, dash).trim();
  const b = part.slice(dash + 1).trim();
  if (a === '') return DIGITS.test(b) ? { suffix: Number(b) } : undefined;
  if (!DIGITS.test(a)) return undefined;
  if (b === '') return { first: Number(a) };
  if (!DIGITS.test(b)) return undefined;
  const first = Number(a);
  const last = Number(b);
  // §14.1.1: a last-pos below first-pos makes the range-spec invalid, hence the whole header.
  return last < first ? undefined : { first, last };
}

function resolveSpec(spec: RangeSpec, size: number): ByteRange | undefined {
  if ('suffix' in spec) {
    // §14.1.3: a suffix of zero length is unsatisfiable; a suffix longer than the file means the whole file.
    if (spec.suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

/** Sorts and merges overlapping or touching ranges. */
export function coalesce(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((x, y) => x.start - y.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/** `Content-Range` of one part (§14.4). */
export function contentRange(r: ByteRange, size: number): string {
  return `bytes ${r.start}-${r.end}/${size}`;
}

/** `Content-Range` of a 416 (§14.4: an asterisk, a slash, then the complete length). */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}

/** The framing of a multipart/byteranges body: a header before each part and the closing delimiter. */
export interface MultipartPlan {
  contentType: string;
  parts: { head: Buffer; range: ByteRange }[];
  tail: Buffer;
  totalBytes: number;
}

/** Lays out multipart/byteranges (RFC 9110 §14.6, RFC 2046 §5.1.1) so Content-Length is known before sending. */
export function planMultipart(ranges: ByteRange[], size: number, partType: string, boundary: string): MultipartPlan {
  let totalBytes = 0;
  const parts = ranges.map((range, i) => {
    // The first delimiter needs no leading CRLF; every later one does (it ends the previous part's body).
    const head = Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${partType}\r\nContent-Range: ${contentRange(range, size)}\r\n\r\n`, 'latin1');
    totalBytes += head.length + (range.end - range.start + 1);
    return { head, range };
  });
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  totalBytes += tail.length;
  return { contentType: `multipart/byteranges; boundary=${boundary}`, parts, tail, totalBytes };
}
