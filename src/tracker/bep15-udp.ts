// BEP 15: the UDP tracker protocol, both directions, plus BEP 41 URL data options. Pure: bytes in, typed values out.
import { badRequest, TrackerError } from './errors.js';
import type { AnnounceEvent } from './types.js';

/** BEP 15: the magic constant a connect request starts with. */
export const PROTOCOL_ID = 0x41727101980n;

export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;

/** BEP 15 announce request: 98 bytes before any BEP 41 options. */
export const ANNOUNCE_REQUEST_BYTES = 98;
/** BEP 15: about 74 hashes fit in a scrape request. */
export const MAX_SCRAPE_HASHES = 74;

/** BEP 15 event numbers. */
const EVENT_CODE: Record<AnnounceEvent, number> = { none: 0, completed: 1, started: 2, stopped: 3 };
const EVENT_NAME: AnnounceEvent[] = ['none', 'completed', 'started', 'stopped'];

export interface UdpConnectRequest {
  action: 'connect';
  transactionId: number;
}

export interface UdpAnnounceRequest {
  action: 'announce';
  connectionId: bigint;
  transactionId: number;
  infoHash: Buffer;
  peerId: Buffer;
  downloaded: bigint;
  left: bigint;
  uploaded: bigint;
  event: AnnounceEvent;
  /** 0 means "the sender's address" (BEP 15). */
  ip: number;
  key: number;
  /** -1 means "default" (BEP 15). */
  numWant: number;
  port: number;
  /** BEP 41: the URL path and query, as carried in URLData options (used for passkeys). */
  urlData: string;
}

export interface UdpScrapeRequest {
  action: 'scrape';
  connectionId: bigint;
  transactionId: number;
  infoHashes: Buffer[];
}

export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

// ---------------------------------------------------------------------------------------------------------------
// Client side: encode requests, decode responses.

export function encodeConnect(transactionId: number): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(PROTOCOL_ID, 0);
  b.writeUInt32BE(ACTION_CONNECT, 8);
  b.writeUInt32BE(transactionId >>> 0, 12);
  return b;
}

export interface UdpAnnounceFields {
  connectionId: bigint;
  transactionId: number;
  infoHash: Buffer;
  peerId: Buffer;
  downloaded: number;
  left: number;
  uploaded: number;
  event: AnnounceEvent;
  key: number;
  numWant: number;
  port: number;
  /** BEP 41: the announce URL's path and query, sent as URLData options when not plain "/announce". */
  urlData?: string;
}

export function encodeAnnounce(f: UdpAnnounceFields): Buffer {
  const options = encodeUrlData(f.urlData ?? '');
  const b = Buffer.alloc(ANNOUNCE_REQUEST_BYTES + options.length);
  b.writeBigUInt64BE(f.connectionId, 0);
  b.writeUInt32BE(ACTION_ANNOUNCE, 8);
  b.writeUInt32BE(f.transactionId >>> 0, 12);
  f.infoHash.copy(b, 16, 0, 20);
  f.peerId.copy(b, 36, 0, 20);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(f.downloaded))), 56);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(f.left))), 64);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(f.uploaded))), 72);
  b.writeUInt32BE(EVENT_CODE[f.event], 80);
  b.writeUInt32BE(0, 84); // ip: 0, the tracker uses the sender's address
  b.writeUInt32BE(f.key >>> 0, 88);
  b.writeInt32BE(f.numWant, 92);
  b.writeUInt16BE(f.port, 96);
  options.copy(b, ANNOUNCE_REQUEST_BYTES);
  return b;
}

/** BEP 41: URLData options (type 2, a length byte, up to 255 bytes each), then EndOfOptions. */
function encodeUrlData(urlData: string): Buffer {
  if (urlData === '' || urlData === '/announce') return Buffer.alloc(0);
  const data = Buffer.from(urlData, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const chunk = data.subarray(at, at + 255);
    parts.push(Buffer.from([2, chunk.length]), chunk);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export function encodeScrape(connectionId: bigint, transactionId: number, infoHashes: Buffer[]): Buffer {
  const b = Buffer.allocUnsafe(16 + 20 * infoHashes.length);
  b.writeBigUInt64BE(connectionId, 0);
  b.writeUInt32BE(ACTION_SCRAPE, 8);
  b.writeUInt32BE(transactionId >>> 0, 12);
  infoHashes.forEach((h, i) => h.copy(b, 16 + 20 * i, 0, 20));
  return b;
}

export type UdpResponse =
  | { action: 'connect'; transactionId: number; connectionId: bigint }
  | { action: 'announce'; transactionId: number; intervalS: number; leechers: number; seeders: number; peers: Buffer }
  | { action: 'scrape'; transactionId: number; entries: { seeders: number; completed: number; leechers: number }[] }
  | { action: 'error'; transactionId: number; message: string };

function badResponse(message: string): TrackerError {
  return new TrackerError('TRACKER_BAD_RESPONSE', message);
}

/** Decodes any tracker response; the caller matches the transaction id and the action it expects. */
export function decodeResponse(b: Buffer): UdpResponse {
  if (b.length < 8) throw badResponse(`UDP tracker response of ${b.length} bytes is too short`);
  const action = b.readUInt32BE(0);
  const transactionId = b.readUInt32BE(4);
  switch (action) {
    case ACTION_CONNECT:
      if (b.length < 16) throw badResponse('UDP connect response is truncated');
      return { action: 'connect', transactionId, connectionId: b.readBigUInt64BE(8) };
    case ACTION_ANNOUNCE:
      if (b.length < 20) throw badResponse('UDP announce response is truncated');
      return { action: 'announce', transactionId, intervalS: b.readUInt32BE(8), leechers: b.readUInt32BE(12), seeders: b.readUInt32BE(16), peers: b.subarray(20) };
    case ACTION_SCRAPE: {
      const entries = [];
      for (let at = 8; at + 12 <= b.length; at += 12) {
        entries.push({ seeders: b.readUInt32BE(at), completed: b.readUInt32BE(at + 4), leechers: b.readUInt32BE(at + 8) });
      }
      return { action: 'scrape', transactionId, entries };
    }
    case ACTION_ERROR:
      return { action: 'error', transactionId, message: b.subarray(8, 8 + 1024).toString('utf8') };
    default:
      throw badResponse(`UDP tracker response has unknown action ${action}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Server side: decode requests, encode responses.

/** The transaction id of a packet, if it is long enough to have one (so even a bad request can get an error). */
export function peekTransactionId(b: Buffer): number | undefined {
  return b.length >= 16 ? b.readUInt32BE(12) : undefined;
}

/** Decodes a request; every malformed packet is a typed 'input' error (TRACKER_BAD_PACKET). */
export function decodeRequest(b: Buffer, maxBytes: number): UdpRequest {
  if (b.length < 16) throw badRequest('TRACKER_BAD_PACKET', `packet of ${b.length} bytes is too short`);
  if (b.length > maxBytes) throw badRequest('TRACKER_BAD_PACKET', `packet of ${b.length} bytes is too long`);
  const action = b.readUInt32BE(8);
  const transactionId = b.readUInt32BE(12);
  if (action === ACTION_CONNECT) {
    if (b.readBigUInt64BE(0) !== PROTOCOL_ID) throw badRequest('TRACKER_BAD_PACKET', 'connect without the protocol id');
    return { action: 'connect', transactionId };
  }
  const connectionId = b.readBigUInt64BE(0);
  if (action === ACTION_ANNOUNCE) {
    if (b.length < ANNOUNCE_REQUEST_BYTES) throw badRequest('TRACKER_BAD_PACKET', 'announce is truncated');
    const event = EVENT_NAME[b.readUInt32BE(80)];
    if (event === undefined) throw badRequest('TRACKER_BAD_EVENT', 'unknown announce event');
    return {
      action: 'announce',
      connectionId,
      transactionId,
      infoHash: b.subarray(16, 36),
      peerId: b.subarray(36, 56),
      downloaded: b.readBigUInt64BE(56),
      left: b.readBigUInt64BE(64),
      uploaded: b.readBigUInt64BE(72),
      event,
      ip: b.readUInt32BE(84),
      key: b.readUInt32BE(88),
      numWant: b.readInt32BE(92),
      port: b.readUInt16BE(96),
      urlData: decodeUrlData(b.subarray(ANNOUNCE_REQUEST_BYTES)),
    };
  }
  if (action === ACTION_SCRAPE) {
    const n = (b.length - 16) / 20;
    if (!Number.isInteger(n) || n < 1) throw badRequest('TRACKER_BAD_PACKET', 'scrape must carry whole 20-byte info hashes');
    if (n > MAX_SCRAPE_HASHES) throw badRequest('TRACKER_BAD_PACKET', `scrape takes at most ${MAX_SCRAPE_HASHES} info hashes`);
    const infoHashes: Buffer[] = [];
    for (let i = 0; i < n; i++) infoHashes.push(b.subarray(16 + 20 * i, 36 + 20 * i));
    return { action: 'scrape', connectionId, transactionId, infoHashes };
  }
  throw badRequest('TRACKER_BAD_PACKET', `unknown action ${action}`);
}

/** BEP 41: options are EndOfOptions (0), NOP (1) and URLData (2, length, bytes); others end the parse. */
function decodeUrlData(opts: Buffer): string {
  let url = '';
  for (let at = 0; at < opts.length; ) {
    const type = opts[at]!;
    if (type === 0) break;
    if (type === 1) { at++; continue; }
    if (type !== 2 || at + 1 >= opts.length) break;
    const len = opts[at + 1]!;
    url += opts.subarray(at + 2, Math.min(opts.length, at + 2 + len)).toString('latin1');
    at += 2 + len;
  }
  return url;
}

export function encodeConnectResponse(transactionId: number, connectionId: bigint): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeUInt32BE(ACTION_CONNECT, 0);
  b.writeUInt32BE(transactionId >>> 0, 4);
  b.writeBigUInt64BE(connectionId, 8);
  return b;
}

/** The peers are compact addresses of the requester's family: 6 bytes for IPv4, 18 for IPv6 (BEP 15). */
export function encodeAnnounceResponse(transactionId: number, intervalS: number, leechers: number, seeders: number, peers: Buffer): Buffer {
  const b = Buffer.allocUnsafe(20 + peers.length);
  b.writeUInt32BE(ACTION_ANNOUNCE, 0);
  b.writeUInt32BE(transactionId >>> 0, 4);
  b.writeUInt32BE(intervalS >>> 0, 8);
  b.writeUInt32BE(Math.min(leechers, 0xffffffff) >>> 0, 12);
  b.writeUInt32BE(Math.min(seeders, 0xffffffff) >>> 0, 16);
  peers.copy(b, 20);
  return b;
}

export function encodeScrapeResponse(transactionId: number, entries: { seeders: number; completed: number; leechers: number }[]): Buffer {
  const b = Buffer.allocUnsafe(8 + 12 * entries.length);
  b.writeUInt32BE(ACTION_SCRAPE, 0);
  b.writeUInt32BE(transactionId >>> 0, 4);
  entries.forEach((e, i) => {
    b.writeUInt32BE(Math.min(e.seeders, 0xffffffff) >>> 0, 8 + 12 * i);
    b.writeUInt32BE(Math.min(e.completed, 0xffffffff) >>> 0, 12 + 12 * i);
    b.writeUInt32BE(Math.min(e.leechers, 0xffffffff) >>> 0, 16 + 12 * i);
  });
  return b;
}

export function encodeErrorResponse(transactionId: number, message: string): Buffer {
  const msg = Buffer.from(message.slice(0, 200), 'utf8');
  const b = Buffer.allocUnsafe(8 + msg.length);
  b.writeUInt32BE(ACTION_ERROR, 0);
  b.writeUInt32BE(transactionId >>> 0, 4);
  msg.copy(b, 8);
  return b;
}
