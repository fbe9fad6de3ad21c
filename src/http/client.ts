/**
 * The download client behind `tandem get http(s)://`: saves into a folder through `<name>.part`, resumes a partial
 * file with `Range: bytes=N-` (RFC 9110 §14.2) and checks the `Content-Range` it gets back, follows redirects.
 */
import { createWriteStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HTTP_DEFAULTS } from './defaults.js';
import { HttpError } from './errors.js';
import { checkSegments } from './safe-path.js';
import { parseContentRange } from './content-range.js';

export interface HttpDownloadOptions {
  url: string;
  outDir: string;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  idleTimeoutMs?: number;
}

export interface HttpDownloadResult {
  path: string;
  bytes: number;
  /** Bytes that were already on disk from an earlier, interrupted download. */
  resumedFromBytes: number;
}

/** The local file name for a URL: its last path segment, decoded and checked, or `index.html`. */
export function fileNameFor(url: URL): string {
  const last = url.pathname.split('/').at(-1) ?? '';
  let name = '';
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  const verdict = checkSegments([name.replace(/\//g, '_')]);
  return verdict.ok && verdict.segments.length === 1 ? verdict.segments[0]! : 'index.html';
}

export async function downloadHttp(opts: HttpDownloadOptions): Promise<HttpDownloadResult> {
  let url = parseUrl(opts.url);
  const path = join(opts.outDir, fileNameFor(url));
  const part = path + '.part';
  const have = await stat(part).then((s) => s.size, () => 0);
  for (let hop = 0; hop <= HTTP_DEFAULTS.clientMaxRedirects; hop++) {
    const res = await request(url, have > 0 ? { range: `bytes=${have}-` } : {}, opts);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = parseUrl(new URL(res.headers.location, url).href);
      continue;
    }
    if (status === 416 && have > 0) {
      // Our partial file may already be whole: the 416 tells the complete length (RFC 9110 §14.4).
      res.resume();
      const total = /^bytes \*\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      if (total && Number(total[1]) === have) {
        await rename(part, path);
        opts.onProgress?.(have, have);
        return { path, bytes: have, resumedFromBytes: have };
      }
      throw new HttpError('HTTP_PROTOCOL', `the server refused to resume ${url.href} (416); delete ${part} to start over`);
    }
    if (status !== 200 && status !== 206) {
      res.resume();
      throw new HttpError('HTTP_STATUS', `${url.href}: the server answered ${status} ${res.statusMessage ?? ''}`.trim());
    }
    const start = status === 206 ? checkContentRange(res, have) : 0;
    const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : -1;
    const total = length >= 0 ? start + length : -1;
    const written = await save(res, part, start, total, opts);
    if (length >= 0 && written !== length) throw new HttpError('HTTP_PROTOCOL', `${url.href}: the body ended after ${written} of ${length} bytes`);
    await rename(part, path);
    return { path, bytes: start + written, resumedFromBytes: start };
  }
  throw new HttpError('HTTP_PROTOCOL', `${opts.url}: more than ${HTTP_DEFAULTS.clientMaxRedirects} redirects`);
}

export function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HttpError('HTTP_BAD_URL', `"${text}" is not a URL`, 'input');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) throw new HttpError('HTTP_BAD_URL', `"${text}" is not an http(s) URL`, 'input');
  return url;
}

/** A 206 must start exactly where our partial file ends (RFC 9110 §14.4). */
function checkContentRange(res: http.IncomingMessage, have: number): number {
  const range = parseContentRange(res.headers['content-range']);
  if (!range || range.first !== have) {
    res.resume();
    throw new HttpError('HTTP_PROTOCOL', `the server sent Content-Range "${res.headers['content-range'] ?? ''}" for a resume at byte ${have}`);
  }
  return have;
}

/** One request (no redirects followed); the idle timeout and the signal apply until the response is read. */
export function request(url: URL, headers: Record<string, string>, opts: { signal?: AbortSignal; idleTimeoutMs?: number }, method = 'GET'): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    const req = lib.request(url, { method, headers: { 'user-agent': 'tandem', ...headers }, auth, signal: opts.signal }, resolve);
    req.end();
    req.setTimeout(opts.idleTimeoutMs ?? HTTP_DEFAULTS.clientIdleTimeoutMs, () => req.destroy(new HttpError('HTTP_TIMEOUT', `${url.href}: no data for ${(opts.idleTimeoutMs ?? HTTP_DEFAULTS.clientIdleTimeoutMs) / 1000} s`)));
    req.on('error', (err) => reject(err instanceof HttpError ? err : new HttpError('HTTP_STATUS', `${url.href}: ${err.message}`, 'runtime', { cause: err })));
  });
}

async function save(res: http.IncomingMessage, part: string, start: number, total: number, opts: HttpDownloadOptions): Promise<number> {
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      opts.onProgress?.(start + written, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(part, start > 0 ? { flags: 'r+', start } : { flags: 'w' }));
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const io = (err as NodeJS.ErrnoException).syscall !== undefined && (err as NodeJS.ErrnoException).code !== 'ECONNRESET';
    throw new HttpError(io ? 'HTTP_IO' : 'HTTP_PROTOCOL', `${io ? 'writing ' + part : 'download'} failed: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  return written;
}
