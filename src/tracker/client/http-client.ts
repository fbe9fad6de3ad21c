// HTTP tracker client (BEP 3): one GET per announce or scrape, with a time limit, an AbortSignal and a cap on the
// response size checked while reading, before the bytes are kept.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { loadPackage } from '../../util/load-module.js';
import { CLIENT_DEFAULTS } from '../defaults.js';
import { TrackerError } from '../errors.js';
import { buildAnnounceUrl, buildScrapeUrl, parseAnnounceResponse, parseScrapeResponse, scrapeUrlOf } from '../http-codec.js';
import type { AnnounceRequest, AnnounceResponse, ScrapeEntry } from '../types.js';

export interface HttpClientOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export async function httpAnnounce(announceUrl: string, req: AnnounceRequest, opts: HttpClientOptions = {}): Promise<AnnounceResponse> {
  return parseAnnounceResponse(await httpGet(buildAnnounceUrl(announceUrl, req), opts));
}

export async function httpScrape(announceUrl: string, infoHashes: Buffer[], opts: HttpClientOptions = {}): Promise<ScrapeEntry[]> {
  const scrapeUrl = scrapeUrlOf(announceUrl);
  if (!scrapeUrl) throw new TrackerError('TRACKER_BAD_URL', `${announceUrl} has no scrape URL (its path does not end in "announce")`, 'input');
  return parseScrapeResponse(await httpGet(buildScrapeUrl(scrapeUrl, infoHashes), opts));
}

/** Fetches a URL's body; a tracker may answer a failure with a non-200 status and a bencoded body, so both are read. */
export function httpGet(url: string, opts: HttpClientOptions = {}): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? CLIENT_DEFAULTS.httpTimeoutMs;
  const maxBytes = opts.maxResponseBytes ?? CLIENT_DEFAULTS.maxResponseBytes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new TrackerError('TRACKER_BAD_URL', `not a URL: ${url}`, 'input'));
  }
  // node:https (and TLS under it) only for an https:// tracker: most start-ups never need it.
  const request = parsed.protocol === 'https:' ? loadPackage<typeof import('node:https')>('node:https').request : parsed.protocol === 'http:' ? httpRequest : undefined;
  if (!request) return Promise.reject(new TrackerError('TRACKER_BAD_URL', `not an http(s) URL: ${url}`, 'input'));
  return new Promise<Buffer>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new TrackerError('TRACKER_ABORTED', 'announce aborted'));
    // No keep-alive: announces are minutes apart, and trackers such as opentracker close the connection after each
    // answer, so a pooled socket would only fail the next request with "socket hang up".
    const req = request(parsed, { method: 'GET', agent: false, headers: { 'User-Agent': 'tandem', 'Accept-Encoding': 'identity', Connection: 'close' }, signal: opts.signal });
    const timer = setTimeout(() => req.destroy(new TrackerError('TRACKER_TIMEOUT', `${parsed.host} did not answer in ${timeoutMs} ms`)), timeoutMs);
    const done = (err: Error | undefined, body?: Buffer): void => {
      clearTimeout(timer);
      if (err) reject(toTrackerError(err, parsed.host));
      else resolve(body!);
    };
    req.on('error', (err) => done(err));
    req.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) return req.destroy(new TrackerError('TRACKER_RESPONSE_TOO_LARGE', `tracker response of ${declared} bytes is over the ${maxBytes}-byte limit`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) return req.destroy(new TrackerError('TRACKER_RESPONSE_TOO_LARGE', `tracker response is over the ${maxBytes}-byte limit`));
        chunks.push(c);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200 && body[0] !== 0x64 /* 'd': a bencoded failure */) {
          return done(new TrackerError('TRACKER_BAD_RESPONSE', `tracker answered HTTP ${res.statusCode}`));
        }
        done(undefined, body);
      });
      res.on('error', (err) => done(err));
    });
    req.end();
  });
}

function toTrackerError(err: Error, host: string): TrackerError {
  if (err instanceof TrackerError) return err;
  if (err.name === 'AbortError') return new TrackerError('TRACKER_ABORTED', 'announce aborted');
  return new TrackerError('TRACKER_UNREACHABLE', `cannot reach ${host}: ${err.message}`, 'runtime', { cause: err });
}
