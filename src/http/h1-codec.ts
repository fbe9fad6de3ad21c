/**
 * The HTTP/1.1 request head and response head (RFC 9112), for the file server's fast path (`h1-connection.ts`).
 * Pure: bytes in, a typed head or a refusal out; a reply's status and headers in, the head's text out.
 *
 * The parser reads only what a GET, HEAD or OPTIONS needs and says when a request must go to node:http instead
 * (`handOff`): a body, `Expect`, an `Upgrade`, any other method. Header names are lower-cased and repeated fields
 * combined the way node:http combines them, so the handler sees the same `headers` from either adapter.
 *
 * @example
 *   const end = findHeadEnd(buf, 0);
 *   if (end > 0) { const r = parseRequestHead(buf.subarray(0, end), limits); ... }
 */
import { STATUS_CODES } from 'node:http';

export interface HeadLimits {
  /** Request line and header fields together, blank line included (node's default maxHeaderSize is 16 KiB). */
  maxHeadBytes: number;
  maxHeaderCount: number;
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface RequestHead {
  method: string;
  target: string;
  /** `1.0` or `1.1`, as node's `req.httpVersion` spells it (the access log prints it). */
  httpVersion: '1.0' | '1.1';
  headers: RequestHeaders;
  /** RFC 9112 §9.3: HTTP/1.1 persists unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`. */
  keepAlive: boolean;
  /** Why node:http must take the connection from here on, or undefined when the fast path answers it. */
  handOff?: 'method' | 'body' | 'expect' | 'upgrade';
}

export type HeadParse = { kind: 'bad'; status: 400 | 431 | 505; reason: string } | { kind: 'head'; head: RequestHead };

const LF = 10;
const CR = 13;

/**
 * The index just past the blank line that ends the head starting at 0, or -1 while it is incomplete. `from` lets a
 * caller resume where the last search stopped, so a head that arrives a byte at a time is not rescanned each time.
 * RFC 9112 §2.2: a bare LF is accepted as a line terminator, as a recipient MAY.
 */
export function findHeadEnd(buf: Buffer, from: number): number {
  let i = buf.indexOf(LF, Math.max(0, from - 3));
  while (i >= 0) {
    const next = buf[i + 1];
    if (next === LF) return i + 2;
    if (next === CR && buf[i + 2] === LF) return i + 3;
    i = buf.indexOf(LF, i + 1);
  }
  return -1;
}

// RFC 9110 §5.6.2 tchar, as a lookup table over byte values.
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** The methods the fast path answers itself; anything else is node:http's (uploads, CONNECT, unknown methods). */
const FAST_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * node:http keeps the first of these when a request repeats them (its `matchKnownFields`); every other repeated
 * field is joined with ", " (RFC 9110 §5.3), `cookie` with "; ".
 */
const FIRST_WINS = new Set(['age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent']);

const bad = (status: 400 | 431 | 505, reason: string): HeadParse => ({ kind: 'bad', status, reason });

/**
 * Parses one complete head (`buf` ends at the blank line, see `findHeadEnd`). Never throws. The head is decoded
 * once, as latin1 (node:http reads header bytes the same way), and read as a string from there.
 */
export function parseRequestHead(buf: Buffer, limits: HeadLimits): HeadParse {
  if (buf.length > limits.maxHeadBytes) return bad(431, 'request head too large');
  const t = buf.toString('latin1');
  let lineEnd = t.indexOf('\n');
  // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request line.
  let start = 0;
  while (lineEnd === start || (lineEnd === start + 1 && t.charCodeAt(start) === CR)) {
    start = lineEnd + 1;
    lineEnd = t.indexOf('\n', start);
  }
  if (lineEnd < 0) return bad(400, 'no request line');
  const line = parseRequestLine(t, start, trimCr(t, start, lineEnd));
  if ('kind' in line) return line;
  const headers: RequestHeaders = Object.create(null) as RequestHeaders;
  let count = 0;
  let pos = lineEnd + 1;
  for (;;) {
    const end = t.indexOf('\n', pos);
    const stop = end < 0 ? t.length : trimCr(t, pos, end);
    if (stop === pos) break; // the blank line
    if (++count > limits.maxHeaderCount) return bad(431, 'too many header fields');
    const failed = addField(headers, t, pos, stop);
    if (failed) return bad(400, failed);
    if (end < 0) break;
    pos = end + 1;
  }
  return finish(line.method, line.target, line.httpVersion, headers);
}

/**
 * Checks a head still arriving: the complete lines in [from, to) (`from` is 0 or just past an LF, `to` just past
 * an LF) and the bytes of the unfinished line after them up to the end of `buf`. Garbage is refused as it arrives,
 * as node:http's streaming parser refuses it, instead of waiting for a blank line that may never come.
 */
export function checkPartialHead(buf: Buffer, from: number, to: number): Extract<HeadParse, { kind: 'bad' }> | undefined {
  const t = buf.toString('latin1');
  let pos = from;
  if (pos === 0) {
    while (pos < to && (t.charCodeAt(pos) === LF || (t.charCodeAt(pos) === CR && t.charCodeAt(pos + 1) === LF))) pos += t.charCodeAt(pos) === LF ? 1 : 2;
    if (pos < to) {
      const lf = t.indexOf('\n', pos);
      const line = parseRequestLine(t, pos, trimCr(t, pos, lf));
      if ('kind' in line) return line as Extract<HeadParse, { kind: 'bad' }>;
      pos = lf + 1;
    }
  }
  const scratch: RequestHeaders = Object.create(null) as RequestHeaders;
  while (pos < to) {
    const lf = t.indexOf('\n', pos);
    const failed = addField(scratch, t, pos, trimCr(t, pos, lf));
    if (failed) return { kind: 'bad', status: 400, reason: failed };
    pos = lf + 1;
  }
  for (let i = Math.max(pos, to); i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== CR) || c === 127) return { kind: 'bad', status: 400, reason: 'control byte in a head' };
  }
  return undefined;
}

function trimCr(t: string, start: number, lf: number): number {
  return lf > start && t.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
}

/** RFC 9112 §3: `method SP request-target SP HTTP-version`, single spaces, no control bytes in the target. */
function parseRequestLine(t: string, start: number, end: number): HeadParse | { method: string; target: string; httpVersion: '1.0' | '1.1' } {
  const sp1 = t.indexOf(' ', start);
  if (sp1 <= start || sp1 >= end) return bad(400, 'malformed request line');
  for (let i = start; i < sp1; i++) if (!TCHAR[t.charCodeAt(i)]) return bad(400, 'malformed method');
  const sp2 = t.lastIndexOf(' ', end - 1);
  if (sp2 <= sp1 + 1) return bad(400, 'malformed request line');
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = t.charCodeAt(i);
    if (c <= 32 || c === 127) return bad(400, 'malformed request target');
  }
  const version = t.slice(sp2 + 1, end);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return /^HTTP\/\d(\.\d)?$/.test(version) ? bad(505, 'HTTP version not supported') : bad(400, 'malformed HTTP version');
  return { method: t.slice(start, sp1), target: t.slice(sp1 + 1, sp2), httpVersion: version === 'HTTP/1.1' ? '1.1' : '1.0' };
}

/** One `name: value` line into `headers`; returns why it is refused, or undefined. */
function addField(headers: RequestHeaders, t: string, start: number, end: number): string | undefined {
  const colon = t.indexOf(':', start);
  if (colon <= start || colon >= end) return 'malformed header line'; // also obs-fold (RFC 9112 §5.2: MAY reject)
  // RFC 9112 §5.1: no whitespace between the name and the colon, and the name is a token.
  for (let i = start; i < colon; i++) if (!TCHAR[t.charCodeAt(i)]) return 'malformed header name';
  let vs = colon + 1;
  let ve = end;
  while (vs < ve && (t.charCodeAt(vs) === 32 || t.charCodeAt(vs) === 9)) vs++;
  while (ve > vs && (t.charCodeAt(ve - 1) === 32 || t.charCodeAt(ve - 1) === 9)) ve--;
  for (let i = vs; i < ve; i++) {
    const c = t.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return 'control byte in a header value'; // RFC 9110 §5.5
  }
  const name = t.slice(start, colon).toLowerCase();
  const value = t.slice(vs, ve);
  const old = headers[name];
  if (old === undefined) headers[name] = name === 'set-cookie' ? [value] : value;
  else if (name === 'host') return 'more than one Host'; // RFC 9112 §3.2: MUST respond 400
  else if (name === 'content-length') {
    if (old !== value) return 'conflicting Content-Length'; // RFC 9112 §6.3 item 5
  } else if (Array.isArray(old)) old.push(value);
  else if (!FIRST_WINS.has(name)) headers[name] = old + (name === 'cookie' ? '; ' : ', ') + value;
  return undefined;
}

function finish(method: string, target: string, httpVersion: '1.0' | '1.1', headers: RequestHeaders): HeadParse {
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused (node:http does the same).
  if (httpVersion === '1.1' && headers['host'] === undefined) return bad(400, 'missing Host');
  const length = headers['content-length'] as string | undefined;
  if (length !== undefined && !/^\d{1,15}$/.test(length)) return bad(400, 'bad Content-Length');
  const connection = (headers['connection'] as string | undefined)?.toLowerCase();
  let keepAlive = httpVersion === '1.1';
  if (connection !== undefined) {
    if (hasToken(connection, 'close')) keepAlive = false;
    else if (hasToken(connection, 'keep-alive')) keepAlive = true;
  }
  const head: RequestHead = { method, target, httpVersion, headers, keepAlive };
  if (!FAST_METHODS.has(method)) head.handOff = 'method';
  else if (headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0)) head.handOff = 'body';
  else if (headers['expect'] !== undefined) head.handOff = 'expect';
  else if (headers['upgrade'] !== undefined && connection !== undefined && hasToken(connection, 'upgrade')) head.handOff = 'upgrade';
  return { kind: 'head', head };
}

/** RFC 9110 §7.6.1: Connection is a comma-separated list of case-insensitive options. */
function hasToken(list: string, token: string): boolean {
  if (list === token) return true;
  for (const part of list.split(',')) if (part.trim() === token) return true;
  return false;
}

/** RFC 9110 §5.5 field-value bytes, as node:http checks them: HTAB, visible ASCII, obs-text; nothing else. */
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** What a response head needs beyond the reply itself. */
export interface ResponseFraming {
  keepAlive: boolean;
  /** The `Keep-Alive: timeout=N` hint node:http sends, in whole seconds. */
  keepAliveSeconds: number;
  /** An IMF-fixdate for the Date field (RFC 9110 §6.6.1), see `DateCache`. */
  date: string;
}

/**
 * The response head, in the order and spelling node:http writes it (the reply's fields as given, then Date,
 * Connection and Keep-Alive), so clients see the same bytes from either adapter. A field value with CR or LF
 * would split the response (RFC 9110 §5.5), and one beyond latin1 cannot be written: it throws, and the caller
 * answers 500.
 */
export function encodeResponseHead(status: number, headers: Record<string, string>, framing: ResponseFraming, bodyAllowed: boolean): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  let connection: string | undefined;
  for (const name in headers) {
    const value = headers[name]!;
    if (BAD_VALUE.test(value)) throw new Error(`header ${name} holds a byte a field value may not hold`);
    if (name === 'connection') connection = value;
    head += `${name}: ${value}\r\n`;
  }
  // A body of unknown length would need chunked coding; the handler always gives a length, so say 0 when absent.
  if (bodyAllowed && headers['content-length'] === undefined && status !== 204 && status !== 304 && status >= 200) head += 'Content-Length: 0\r\n';
  head += `Date: ${framing.date}\r\n`;
  if (connection === undefined) head += framing.keepAlive ? `Connection: keep-alive\r\nKeep-Alive: timeout=${framing.keepAliveSeconds}\r\n` : 'Connection: close\r\n';
  return head + '\r\n';
}

/** Bytes of a refused request line kept for its log line; the log keeps fewer characters still (`escapeField`). */
const MAX_LOGGED_LINE_BYTES = 4096;

/**
 * The request line of a head as it arrived, for the log line of a request refused before it could be parsed:
 * the first line after any empty ones (RFC 9112 §2.2), without its CR LF, complete or not; '' when none came.
 */
export function requestLineOf(buf: Buffer): string {
  let start = 0;
  while (start < buf.length && (buf[start] === LF || buf[start] === CR)) start++;
  let end = buf.indexOf(LF, start);
  if (end < 0 || end - start > MAX_LOGGED_LINE_BYTES) end = Math.min(buf.length, start + MAX_LOGGED_LINE_BYTES);
  else if (buf[end - 1] === CR) end--;
  return buf.toString('latin1', start, end);
}

/** The minimal answer to a head that cannot be parsed, as node:http sends it, before the connection closes. */
export function encodeRefusal(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\nConnection: close\r\n\r\n`;
}

/** The Date field text, formatted once per second rather than per response. */
export class DateCache {
  private second = -1;
  private text = '';

  at(nowMs: number): string {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.text = new Date(second * 1000).toUTCString();
    }
    return this.text;
  }
}
