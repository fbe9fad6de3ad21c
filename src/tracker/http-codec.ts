// HTTP tracker protocol (BEP 3, compact peers BEP 23, IPv6 peers BEP 7, scrape convention BEP 48). Pure: URLs and
// bytes in, typed values out, for both sides. No sockets here.
import { decode, encode, isBytes, isDict, isInt, isList, type BDict, type BInput, type BValue } from '../bencode/index.js';
import { decodeCompactPeers } from './compact.js';
import { badRequest, TrackerError } from './errors.js';
import type { AnnounceEvent, AnnounceRequest, AnnounceResponse, PeerAddress, ScrapeEntry } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Client side: requests out, responses in.

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes raw bytes, every byte outside RFC 3986's unreserved set (BEP 3: info_hash is urlencoded bytes). */
export function percentEncodeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += UNRESERVED.test(c) ? c : '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  }
  return out;
}

/** The announce URL for a request; a query already in the announce URL (a passkey, say) is kept. */
export function buildAnnounceUrl(announceUrl: string, req: AnnounceRequest): string {
  const params = [
    `info_hash=${percentEncodeBytes(req.infoHash)}`,
    `peer_id=${percentEncodeBytes(req.peerId)}`,
    `port=${req.port}`,
    `uploaded=${Math.max(0, Math.floor(req.uploaded))}`,
    `downloaded=${Math.max(0, Math.floor(req.downloaded))}`,
    `left=${Math.max(0, Math.floor(req.left))}`,
    `compact=${req.compact === false ? 0 : 1}`,
  ];
  if (req.event !== 'none') params.push(`event=${req.event}`);
  if (req.key !== undefined) params.push(`key=${(req.key >>> 0).toString(16).padStart(8, '0')}`);
  if (req.numwant !== undefined) params.push(`numwant=${req.numwant}`);
  if (req.trackerId !== undefined) params.push(`trackerid=${encodeURIComponent(req.trackerId)}`);
  return appendQuery(announceUrl, params.join('&'));
}

/**
 * The scrape URL of an announce URL (BEP 48: replace the last path segment's leading "announce" with "scrape"),
 * or undefined when the tracker has no scrape convention.
 */
export function scrapeUrlOf(announceUrl: string): string | undefined {
  const q = announceUrl.indexOf('?');
  const path = q < 0 ? announceUrl : announceUrl.slice(0, q);
  const slash = path.lastIndexOf('/');
  if (!path.slice(slash + 1).startsWith('announce')) return undefined;
  return path.slice(0, slash + 1) + 'scrape' + path.slice(slash + 1 + 'announce'.length) + (q < 0 ? '' : announceUrl.slice(q));
}

export function buildScrapeUrl(scrapeUrl: string, infoHashes: Buffer[]): string {
  return appendQuery(scrapeUrl, infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&'));
}

function appendQuery(url: string, query: string): string {
  if (!url.includes('?')) return `${url}?${query}`;
  return url.endsWith('?') || url.endsWith('&') ? url + query : `${url}&${query}`;
}

function bad(message: string): TrackerError {
  return new TrackerError('TRACKER_BAD_RESPONSE', message);
}

function decodeDict(body: Buffer): BDict {
  let value: BValue;
  try {
    value = decode(body, { maxStringBytes: body.length, maxDepth: 8 });
  } catch (err) {
    throw new TrackerError('TRACKER_BAD_RESPONSE', `tracker response is not bencoded: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  if (!isDict(value)) throw bad('tracker response is not a dictionary');
  return value;
}

function text(v: BValue | undefined): string | undefined {
  return isBytes(v) ? v.toString('utf8') : undefined;
}

function count(v: BValue | undefined): number | undefined {
  if (!isInt(v)) return undefined;
  const n = Number(v);
  return n >= 0 && Number.isSafeInteger(n) ? n : undefined;
}

/** Parses an announce response; a `failure reason` becomes a TRACKER_FAILURE error carrying the tracker's words. */
export function parseAnnounceResponse(body: Buffer, maxPeers = 10_000): AnnounceResponse {
  const d = decodeDict(body);
  const failure = text(d.get('failure reason'));
  if (failure !== undefined) throw new TrackerError('TRACKER_FAILURE', `tracker says: ${failure}`);
  const intervalS = count(d.get('interval'));
  if (intervalS === undefined) throw bad('tracker response has no interval');
  const res: AnnounceResponse = { intervalS, peers: parsePeers(d.get('peers'), 4, maxPeers) };
  res.peers.push(...parsePeers(d.get('peers6'), 6, Math.max(0, maxPeers - res.peers.length)));
  const min = count(d.get('min interval'));
  if (min !== undefined) res.minIntervalS = min;
  const complete = count(d.get('complete'));
  if (complete !== undefined) res.complete = complete;
  const incomplete = count(d.get('incomplete'));
  if (incomplete !== undefined) res.incomplete = incomplete;
  const trackerId = text(d.get('tracker id'));
  if (trackerId !== undefined) res.trackerId = trackerId;
  const warning = text(d.get('warning message'));
  if (warning !== undefined) res.warning = warning;
  return res;
}

/** `peers` is a compact string (BEP 23) or a list of dictionaries (BEP 3); `peers6` is compact (BEP 7). */
function parsePeers(v: BValue | undefined, family: 4 | 6, maxPeers: number): PeerAddress[] {
  if (v === undefined) return [];
  if (isBytes(v)) return decodeCompactPeers(v, family, maxPeers);
  if (!isList(v)) throw bad('tracker response has peers that are neither a string nor a list');
  const peers: PeerAddress[] = [];
  for (const entry of v.slice(0, maxPeers)) {
    if (!isDict(entry)) continue;
    const host = text(entry.get('ip'));
    const port = count(entry.get('port'));
    if (host === undefined || port === undefined || port === 0 || port > 65535) continue;
    const peer: PeerAddress = { host, port, family: host.includes(':') ? 6 : 4 };
    const id = entry.get('peer id');
    if (isBytes(id) && id.length === 20) peer.peerId = Buffer.from(id);
    peers.push(peer);
  }
  return peers;
}

export function parseScrapeResponse(body: Buffer): ScrapeEntry[] {
  const d = decodeDict(body);
  const failure = text(d.get('failure reason'));
  if (failure !== undefined) throw new TrackerError('TRACKER_FAILURE', `tracker says: ${failure}`);
  const files = d.get('files');
  if (!isDict(files)) throw bad('scrape response has no files dictionary');
  const out: ScrapeEntry[] = [];
  for (const [key, stats] of files) {
    if (key.length !== 20 || !isDict(stats)) continue;
    out.push({
      infoHash: Buffer.from(key, 'latin1'),
      complete: count(stats.get('complete')) ?? 0,
      downloaded: count(stats.get('downloaded')) ?? 0,
      incomplete: count(stats.get('incomplete')) ?? 0,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Server side: queries in, responses out.

const MAX_QUERY_PARAMS = 128;

/**
 * Splits a raw query string into its values, still percent-encoded: every value is checked here (so a malformed one
 * is refused even when unused), but only the fields read are decoded, by `percentDecode`/`queryText`, which spares an
 * announce a buffer per parameter. Keys are decoded when they need it ('+' is a space, as in form encoding).
 */
export function parseQuery(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let params = 0;
  for (const part of query.split('&')) {
    if (part === '') continue;
    if (++params > MAX_QUERY_PARAMS) throw badRequest('TRACKER_BAD_FIELD', 'too many query parameters');
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    const key = isPlain(rawKey) ? rawKey : percentDecode(rawKey).toString('latin1');
    if (!isPlain(value)) checkEncoded(value);
    const list = out.get(key);
    if (list) list.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** The text a still-encoded query value stands for (latin1: one character per byte). */
function queryText(value: string): string {
  return isPlain(value) ? value : percentDecode(value).toString('latin1');
}

/** True when the value is printable ASCII with no '%' or '+', so it stands for itself. */
function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ || c === 43 /* + */ || c > 0x7e || c < 0x20) return false;
  }
  return true;
}

/** Throws what `percentDecode` would for a malformed value, without building its bytes. */
function checkEncoded(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      if (hexVal(s.charCodeAt(i + 1)) < 0 || hexVal(s.charCodeAt(i + 2)) < 0) throw badRequest('TRACKER_BAD_FIELD', 'malformed percent-encoding in query');
      i += 2;
    } else if (c > 0x7e || c < 0x20) throw badRequest('TRACKER_BAD_FIELD', 'raw non-ASCII byte in query');
  }
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export function percentDecode(s: string): Buffer {
  const out = Buffer.allocUnsafe(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      const hi = hexVal(s.charCodeAt(i + 1));
      const lo = hexVal(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw badRequest('TRACKER_BAD_FIELD', 'malformed percent-encoding in query');
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 43 /* + */) out[n++] = 32;
    else if (c > 0x7e || c < 0x20) throw badRequest('TRACKER_BAD_FIELD', 'raw non-ASCII byte in query');
    else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** An announce as the server reads it. */
export interface ServerAnnounce extends AnnounceRequest {
  compact: boolean;
  noPeerId: boolean;
  numwant: number;
}

const EVENTS: Record<string, AnnounceEvent> = { '': 'none', empty: 'none', started: 'started', completed: 'completed', stopped: 'stopped', paused: 'none' };

function one(q: Map<string, string[]>, name: string): string | undefined {
  return q.get(name)?.[0];
}

function textOf(q: Map<string, string[]>, name: string): string | undefined {
  const raw = one(q, name);
  return raw === undefined ? undefined : queryText(raw);
}

/** A decimal field: digits only, at most 20 of them (a 64-bit counter). Missing gives `fallback`, or an error. */
function numeric(q: Map<string, string[]>, name: string, fallback?: number): number {
  const raw = one(q, name);
  if (raw === undefined) {
    if (fallback === undefined) throw badRequest('TRACKER_BAD_FIELD', `missing ${name}`);
    return fallback;
  }
  const s = queryText(raw);
  if (!/^\d{1,20}$/.test(s)) throw badRequest('TRACKER_BAD_FIELD', `${name} is not a non-negative integer`);
  return Number(s);
}

function exact20(q: Map<string, string[]>, name: 'info_hash' | 'peer_id'): Buffer {
  const raw = one(q, name);
  const v = raw === undefined ? undefined : percentDecode(raw);
  if (v === undefined || v.length !== 20) {
    throw badRequest(name === 'info_hash' ? 'TRACKER_BAD_INFO_HASH' : 'TRACKER_BAD_PEER_ID', `${name} must be exactly 20 bytes`);
  }
  return v;
}

/** Reads and checks an announce query (BEP 3); every field a peer can get wrong is a typed 'input' error. */
export function parseAnnounceQuery(query: string, defaultNumwant: number, maxNumwant: number): ServerAnnounce {
  const q = parseQuery(query);
  const infoHash = exact20(q, 'info_hash');
  const peerId = exact20(q, 'peer_id');
  const port = numeric(q, 'port');
  if (port < 1 || port > 65535) throw badRequest('TRACKER_BAD_FIELD', 'port must be 1..65535');
  const eventRaw = one(q, 'event');
  const eventText = eventRaw === undefined ? '' : queryText(eventRaw);
  const event = EVENTS[eventText];
  if (event === undefined) throw badRequest('TRACKER_BAD_EVENT', 'event must be started, completed, stopped or empty');
  const numwant = Math.min(numeric(q, 'numwant', defaultNumwant), maxNumwant);
  const keyRaw = one(q, 'key');
  if (keyRaw && keyRaw.length > 64 && percentDecode(keyRaw).length > 64) throw badRequest('TRACKER_BAD_FIELD', 'key is too long');
  const trackerIdRaw = one(q, 'trackerid');
  const trackerId = trackerIdRaw === undefined ? undefined : queryText(trackerIdRaw);
  if (trackerId && trackerId.length > 64) throw badRequest('TRACKER_BAD_FIELD', 'trackerid is too long');
  const ann: ServerAnnounce = {
    infoHash,
    peerId,
    port,
    uploaded: numeric(q, 'uploaded', 0),
    downloaded: numeric(q, 'downloaded', 0),
    left: numeric(q, 'left'),
    event,
    numwant,
    compact: textOf(q, 'compact') !== '0',
    noPeerId: textOf(q, 'no_peer_id') === '1',
  };
  if (trackerId) ann.trackerId = trackerId;
  return ann;
}

/** The info hashes of a scrape query; none means "all", which we refuse (it would be unbounded). */
export function parseScrapeQuery(query: string, maxHashes: number): Buffer[] {
  const hashes = (parseQuery(query).get('info_hash') ?? []).map((v) => percentDecode(v));
  if (hashes.length === 0) throw badRequest('TRACKER_BAD_INFO_HASH', 'scrape needs at least one info_hash');
  if (hashes.length > maxHashes) throw badRequest('TRACKER_BAD_FIELD', `scrape takes at most ${maxHashes} info hashes`);
  for (const h of hashes) if (h.length !== 20) throw badRequest('TRACKER_BAD_INFO_HASH', 'info_hash must be exactly 20 bytes');
  return hashes;
}

export interface AnnounceReply {
  intervalS: number;
  minIntervalS: number;
  complete: number;
  incomplete: number;
  downloaded: number;
  /** Compact addresses (6 bytes each for v4, 18 for v6) with, for the non-compact form, the matching peer ids. */
  v4: Buffer;
  v6: Buffer;
  v4Ids?: Buffer[];
  v6Ids?: Buffer[];
  warning?: string;
}

/** Encodes an announce reply, compact (BEP 23 `peers`, BEP 7 `peers6`) or as a list of dictionaries (BEP 3). */
export function encodeAnnounceReply(r: AnnounceReply, compact: boolean, noPeerId: boolean): Buffer {
  if (compact && !r.warning) return encodeCompactReply(r);
  const d: Record<string, BInput> = {
    complete: r.complete,
    downloaded: r.downloaded,
    incomplete: r.incomplete,
    interval: r.intervalS,
    'min interval': r.minIntervalS,
  };
  if (r.warning) d['warning message'] = r.warning;
  if (compact) {
    d.peers = r.v4;
    if (r.v6.length > 0) d.peers6 = r.v6;
  } else {
    const list: BInput[] = [];
    const add = (addrs: Buffer, ids: Buffer[] | undefined, family: 4 | 6): void => {
      decodeCompactPeers(addrs, family).forEach((peer, i) => {
        const entry: Record<string, BInput> = { ip: peer.host, port: peer.port };
        const id = ids?.[i];
        if (!noPeerId && id && id.length === 20) entry['peer id'] = id;
        list.push(entry);
      });
    };
    add(r.v4, r.v4Ids, 4);
    add(r.v6, r.v6Ids, 6);
    d.peers = list;
  }
  return encode(d);
}

export function encodeFailure(reason: string): Buffer {
  return encode({ 'failure reason': reason });
}

export function encodeScrapeReply(entries: ScrapeEntry[]): Buffer {
  const files = new Map<string, BInput>();
  for (const e of entries) files.set(e.infoHash.toString('latin1'), { complete: e.complete, downloaded: e.downloaded, incomplete: e.incomplete });
  return encode({ files });
}

/**
 * The common answer, written directly: the keys in their sorted order (BEP 3 requires sorted keys), then the
 * compact peer strings. Equal to what `encode` makes of the same dictionary (a unit test checks it), at a
 * fraction of the cost on the hot path.
 */
function encodeCompactReply(r: AnnounceReply): Buffer {
  const head = `d8:completei${r.complete}e10:downloadedi${r.downloaded}e10:incompletei${r.incomplete}e8:intervali${r.intervalS}e12:min intervali${r.minIntervalS}e5:peers${r.v4.length}:`;
  const mid = r.v6.length > 0 ? `6:peers6${r.v6.length}:` : '';
  const out = Buffer.allocUnsafe(head.length + r.v4.length + mid.length + r.v6.length + 1);
  let at = out.write(head, 0, 'latin1');
  at += r.v4.copy(out, at);
  if (mid) {
    at += out.write(mid, at, 'latin1');
    at += r.v6.copy(out, at);
  }
  out[at] = 0x65; // 'e'
  return out;
}
