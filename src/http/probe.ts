/**
 * Small client exchanges around a download: a HEAD that reads what a URL offers (its length, its `Link` to a
 * torrent) and a bounded GET of a small document (the torrent itself). Redirects are followed, at most
 * `HTTP_DEFAULTS.clientMaxRedirects` of them; bodies are never read past their cap.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseUrl, request } from './client.js';
import { HTTP_DEFAULTS } from './defaults.js';
import { HttpError } from './errors.js';

export interface ProbeResult {
  /** The URL that answered, after redirects. */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
}

export interface SmallRequestOptions {
  signal?: AbortSignal;
  idleTimeoutMs?: number;
}

/** Follows redirects from `start` and resolves with the final response (its body not yet read). */
async function follow(start: URL, method: string, opts: SmallRequestOptions): Promise<{ url: URL; res: IncomingMessage }> {
  let url = start;
  for (let hop = 0; hop <= HTTP_DEFAULTS.clientMaxRedirects; hop++) {
    const res = await request(url, {}, opts, method);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = parseUrl(new URL(res.headers.location, url).href);
      continue;
    }
    return { url, res };
  }
  throw new HttpError('HTTP_PROTOCOL', `${start.href}: more than ${HTTP_DEFAULTS.clientMaxRedirects} redirects`);
}

/** HEAD of a URL: what it is, where it ended up, and its headers. Any status is returned, not thrown. */
export async function probeHttp(url: string, opts: SmallRequestOptions = {}): Promise<ProbeResult> {
  const { url: final, res } = await follow(parseUrl(url), 'HEAD', opts);
  res.resume();
  return { url: final, status: res.statusCode ?? 0, headers: res.headers };
}

/**
 * GET of a small document, refused before reading when it declares more than `maxBytes` and cut off when it sends
 * more. Resolves with the body of a 200; any other status is an `HTTP_STATUS` error.
 */
export async function fetchSmall(url: URL, maxBytes: number, opts: SmallRequestOptions = {}): Promise<{ url: URL; body: Buffer; headers: IncomingHttpHeaders }> {
  const { url: final, res } = await follow(url, 'GET', opts);
  const status = res.statusCode ?? 0;
  if (status !== 200) {
    res.resume();
    throw new HttpError('HTTP_STATUS', `${final.href}: the server answered ${status} ${res.statusMessage ?? ''}`.trim());
  }
  const declared = res.headers['content-length'] === undefined ? -1 : Number(res.headers['content-length']);
  if (declared > maxBytes) {
    res.destroy();
    throw new HttpError('HTTP_PROTOCOL', `${final.href}: ${declared} bytes is more than the ${maxBytes} allowed`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        throw new HttpError('HTTP_PROTOCOL', `${final.href}: the body is longer than the ${maxBytes} bytes allowed`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError('HTTP_PROTOCOL', `${final.href}: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  if (declared >= 0 && total !== declared) throw new HttpError('HTTP_PROTOCOL', `${final.href}: the body ended after ${total} of ${declared} bytes`);
  return { url: final, body: Buffer.concat(chunks, total), headers: res.headers };
}
