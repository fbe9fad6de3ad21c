/**
 * One GET of one file stretch from a web seed, with every answer checked exactly: the I/O below `WebSeed`.
 * Node's `http`/`https` with a keep-alive agent; the body is bounded to the expected length as it arrives.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { WEBSEED_DEFAULTS } from './defaults.js';
import { WebSeedError } from './errors.js';
import { parseContentLength, parseContentRange, parseRetryAfter } from './headers.js';
import { isWholeFile, rangeHeader, type RangeRequest } from './ranges.js';

export interface FetchContext {
  agents: { http: http.Agent; https: https.Agent };
  /** Fires on the caller's abort, the seed's stop, or the request deadline. */
  signal: AbortSignal;
  idleTimeoutMs: number;
  maxRedirects: number;
  /** The seed is known to ignore Range: ask for the whole file and slice. */
  ignoresRanges: boolean;
  /** Largest file fetched whole to serve a slice of it when the server ignores Range. */
  wholeFileMaxBytes: number;
  userAgent: string;
  nowMs: () => number;
}

export interface FetchResult {
  /** The server answered 200 to a ranged request: it ignores Range (the bytes were still good). */
  rangesIgnored: boolean;
}

/** Fetches `r` into `into` at `r.bufferOffset`; throws a `WebSeedError` for every way the answer can be wrong. */
export async function fetchRange(r: RangeRequest, into: Buffer, ctx: FetchContext): Promise<FetchResult> {
  const whole = isWholeFile(r);
  const ranged = !whole && !ctx.ignoresRanges;
  let url = new URL(r.url);
  for (let hop = 0; ; hop++) {
    const headers: http.OutgoingHttpHeaders = { 'user-agent': ctx.userAgent, 'accept-encoding': 'identity' };
    if (ranged) headers.range = rangeHeader(r);
    const res = await get(url, headers, ctx);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && status !== 304 && res.headers.location !== undefined) {
      res.destroy();
      if (hop >= ctx.maxRedirects) throw new WebSeedError('WEBSEED_STATUS', `${r.url}: more than ${ctx.maxRedirects} redirects`);
      url = redirectTarget(url, res.headers.location);
      continue;
    }
    if (status === 206 && ranged) {
      checkPartial(res, r);
      await readExact(res, into, r.bufferOffset, r.length, r.url);
      return { rangesIgnored: false };
    }
    if (status === 200) return readWholeAnswer(res, r, into, ranged, ctx);
    res.destroy();
    throw statusError(status, r, res, ctx);
  }
}

function readWholeAnswer(res: http.IncomingMessage, r: RangeRequest, into: Buffer, ranged: boolean, ctx: FetchContext): Promise<FetchResult> {
  checkEncoding(res, r.url);
  const declared = parseContentLength(res.headers['content-length']);
  if (declared !== undefined && declared !== r.fileLength) {
    res.destroy();
    throw new WebSeedError('WEBSEED_BAD_RESPONSE', `${r.url}: Content-Length ${res.headers['content-length']}, the torrent says ${r.fileLength}`);
  }
  if (isWholeFile(r)) return readExact(res, into, r.bufferOffset, r.length, r.url).then(() => ({ rangesIgnored: ranged }));
  // A 200 to a ranged request (RFC 9110 §14.2 lets a server ignore Range): the whole file is coming. Take it
  // only if it is small; otherwise drop the connection before a big body is read for nothing.
  if (r.fileLength > ctx.wholeFileMaxBytes) {
    res.destroy();
    throw new WebSeedError('WEBSEED_NO_RANGES', `${r.url}: the server ignores Range and the file is ${r.fileLength} bytes`);
  }
  const whole = Buffer.allocUnsafe(r.fileLength);
  return readExact(res, whole, 0, r.fileLength, r.url).then(() => {
    whole.copy(into, r.bufferOffset, r.start, r.start + r.length);
    return { rangesIgnored: true };
  });
}

function get(url: URL, headers: http.OutgoingHttpHeaders, ctx: FetchContext): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const https_ = url.protocol === 'https:';
    const mod = https_ ? https : http;
    const req = mod.request(url, { method: 'GET', headers, agent: https_ ? ctx.agents.https : ctx.agents.http, signal: ctx.signal });
    let res: http.IncomingMessage | undefined;
    // Idle timeout on the socket: covers connecting, waiting for headers and every gap in the body; the typed
    // error goes to the body stream too, so a stall mid-body reads as a timeout, not as a reset.
    req.setTimeout(ctx.idleTimeoutMs, () => {
      const err = new WebSeedError('WEBSEED_TIMEOUT', `${url.href}: no data for ${ctx.idleTimeoutMs} ms`);
      res?.destroy(err);
      req.destroy(err);
    });
    req.once('response', (r) => {
      res = r;
      resolve(r);
    });
    req.once('error', (err) => reject(classify(err, url.href, ctx)));
    req.end();
  });
}

/** RFC 9110 §14.4: a 206 must describe exactly the range asked for, of a file exactly the torrent's length. */
function checkPartial(res: http.IncomingMessage, r: RangeRequest): void {
  checkEncoding(res, r.url);
  const raw = res.headers['content-range'];
  const cr = parseContentRange(raw);
  const last = r.start + r.length - 1;
  const fail = (why: string): never => {
    res.destroy();
    throw new WebSeedError('WEBSEED_BAD_RESPONSE', `${r.url}: ${why}`);
  };
  if (!cr) fail(`206 with Content-Range "${raw ?? ''}" (asked bytes ${r.start}-${last})`);
  if (cr!.first !== r.start || cr!.last !== last) fail(`asked bytes ${r.start}-${last}, got ${raw}`);
  if (cr!.complete !== undefined && cr!.complete !== r.fileLength) fail(`the file is ${cr!.complete} bytes, the torrent says ${r.fileLength}`);
  const declared = parseContentLength(res.headers['content-length']);
  if (declared !== undefined && declared !== r.length) fail(`Content-Length ${res.headers['content-length']} for a ${r.length}-byte range`);
}

function checkEncoding(res: http.IncomingMessage, url: string): void {
  const enc = res.headers['content-encoding'];
  if (enc !== undefined && enc.trim().toLowerCase() !== 'identity') {
    res.destroy();
    throw new WebSeedError('WEBSEED_BAD_RESPONSE', `${url}: Content-Encoding "${enc}" was not asked for`);
  }
}

/** Reads exactly `length` body bytes into `into` at `offset`; more or fewer is an error (never over-allocates). */
async function readExact(res: http.IncomingMessage, into: Buffer, offset: number, length: number, url: string): Promise<void> {
  let got = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (got + chunk.length > length) {
      res.destroy();
      throw new WebSeedError('WEBSEED_BAD_RESPONSE', `${url}: body longer than the ${length} bytes asked for`);
    }
    chunk.copy(into, offset + got);
    got += chunk.length;
  }
  if (got !== length) throw new WebSeedError('WEBSEED_BAD_RESPONSE', `${url}: body ended after ${got} of ${length} bytes`);
}

function redirectTarget(from: URL, location: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new WebSeedError('WEBSEED_STATUS', `${from.href}: redirect to an unreadable Location`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw new WebSeedError('WEBSEED_STATUS', `${from.href}: redirect to ${to.protocol} refused`);
  }
  return to;
}

function statusError(status: number, r: RangeRequest, res: http.IncomingMessage, ctx: FetchContext): WebSeedError {
  // BEP 19: a seed without the file answers 404; 410 says the same, for good.
  if (status === 404 || status === 410) return new WebSeedError('WEBSEED_MISSING', `${r.url}: ${status}, the file is not on this seed`, 'runtime', { fileIndex: r.fileIndex });
  const retryAfterMs = parseRetryAfter(res.headers['retry-after'] as string | undefined, ctx.nowMs(), WEBSEED_DEFAULTS.retryAfterMaxMs);
  return new WebSeedError('WEBSEED_STATUS', `${r.url}: HTTP ${status}`, 'runtime', { retryAfterMs });
}

/** Maps a socket-level failure to a typed error; errors already typed pass through. */
export function classify(err: unknown, url: string, ctx: Pick<FetchContext, 'signal'>): WebSeedError {
  if (err instanceof WebSeedError) return err;
  if (ctx.signal.aborted) {
    const reason: unknown = ctx.signal.reason;
    if (reason instanceof WebSeedError) return reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') return new WebSeedError('WEBSEED_TIMEOUT', `${url}: request deadline passed`, 'runtime', { cause: err });
    return new WebSeedError('WEBSEED_ABORTED', `${url}: aborted`, 'runtime', { cause: err });
  }
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  // Node's HTTP parser rejects malformed answers with HPE_* codes: the server spoke, but not HTTP.
  if (code.startsWith('HPE_')) return new WebSeedError('WEBSEED_BAD_RESPONSE', `${url}: malformed HTTP answer (${code})`, 'runtime', { cause: err });
  return new WebSeedError('WEBSEED_NETWORK', `${url}: ${code}`, 'runtime', { cause: err });
}
