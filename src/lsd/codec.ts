/**
 * BEP 14 announces: an HTTP-like text over UDP multicast.
 *
 *   BT-SEARCH * HTTP/1.1\r\n
 *   Host: 239.192.152.143:6771\r\n
 *   Port: <port>\r\n
 *   Infohash: <40 hex>\r\n          (may repeat)
 *   cookie: <opaque>\r\n            (optional; lets a sender ignore its own announces)
 *   \r\n\r\n
 *
 * Pure functions. Decoding checks the size before looking at the text and throws `LsdError` only.
 */
import { LsdError } from './errors.js';

/** BEP 14 multicast groups: A) org-local IPv4, B) site-local IPv6. */
export const LSD_GROUP_V4 = '239.192.152.143';
export const LSD_GROUP_V6 = 'ff15::efc0:988f';
export const LSD_PORT = 6771;
/** BEP 14: "the packet length should not exceed 1400 bytes" when announcing several info hashes. */
export const LSD_MAX_PACKET_BYTES = 1400;
const MAX_COOKIE_BYTES = 64;

export interface LsdAnnounce {
  /** The Host header as sent (the multicast group and port). */
  host: string;
  port: number;
  infoHashes: Buffer[];
  cookie?: string;
}

/** What a cookie may be: 1 to 64 printable ASCII characters, no spaces. */
function validCookie(cookie: string): boolean {
  return /^[\x21-\x7e]+$/.test(cookie) && cookie.length <= MAX_COOKIE_BYTES;
}

export function hostHeader(family: 4 | 6): string {
  return family === 6 ? `[${LSD_GROUP_V6}]:${LSD_PORT}` : `${LSD_GROUP_V4}:${LSD_PORT}`;
}

/** Encodes one announce per packet, splitting the info hashes so that no packet passes 1400 bytes. */
export function encodeAnnounces(a: LsdAnnounce): Buffer[] {
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) throw new LsdError('LSD_MALFORMED', `port ${a.port} out of range`);
  if (a.cookie !== undefined && !validCookie(a.cookie)) throw new LsdError('LSD_MALFORMED', 'cookie must be printable ASCII');
  const head = `BT-SEARCH * HTTP/1.1\r\nHost: ${a.host}\r\nPort: ${a.port}\r\n`;
  const tail = `${a.cookie !== undefined ? `cookie: ${a.cookie}\r\n` : ''}\r\n\r\n`;
  const line = 'Infohash: '.length + 40 + 2;
  const perPacket = Math.max(1, Math.floor((LSD_MAX_PACKET_BYTES - head.length - tail.length) / line));
  const out: Buffer[] = [];
  for (let i = 0; i < a.infoHashes.length; i += perPacket) {
    const hashes = a.infoHashes.slice(i, i + perPacket).map((h) => {
      if (h.length !== 20) throw new LsdError('LSD_MALFORMED', 'an info hash is 20 bytes');
      return `Infohash: ${h.toString('hex')}\r\n`;
    });
    out.push(Buffer.from(head + hashes.join('') + tail, 'latin1'));
  }
  return out;
}

export function decodeAnnounce(datagram: Buffer): LsdAnnounce {
  if (datagram.length > LSD_MAX_PACKET_BYTES * 2) throw new LsdError('LSD_MALFORMED', `announce of ${datagram.length} bytes is over the limit`);
  const text = datagram.toString('latin1');
  const lines = text.split('\r\n');
  if (lines[0] !== 'BT-SEARCH * HTTP/1.1') throw new LsdError('LSD_MALFORMED', 'not a BT-SEARCH announce');
  let host: string | undefined;
  let port: number | undefined;
  let cookie: string | undefined;
  const infoHashes: Buffer[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue; // the blank lines that end the message
    const colon = line.indexOf(':');
    if (colon <= 0) throw new LsdError('LSD_MALFORMED', 'a header line without a colon');
    const name = line.slice(0, colon).trim().toLowerCase(); // HTTP header names are case-insensitive
    const value = line.slice(colon + 1).trim();
    if (name === 'host') host = value;
    else if (name === 'port') {
      if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) throw new LsdError('LSD_MALFORMED', `bad port "${value.slice(0, 16)}"`);
      port = Number(value);
    } else if (name === 'infohash') {
      if (!/^[0-9a-fA-F]{40}$/.test(value)) throw new LsdError('LSD_MALFORMED', 'an Infohash header is 40 hex digits');
      infoHashes.push(Buffer.from(value, 'hex'));
    } else if (name === 'cookie') {
      // A cookie we would never send cannot be ours: it is dropped, and the announce kept (found by `npm run fuzz`:
      // one with a byte over 0x7e decoded, but its own re-encoding was refused).
      const c = value.slice(0, MAX_COOKIE_BYTES);
      cookie = validCookie(c) ? c : undefined;
    }
    // Other headers are ignored, as HTTP does.
  }
  if (host === undefined || port === undefined || infoHashes.length === 0) throw new LsdError('LSD_MALFORMED', 'an announce needs Host, Port and at least one Infohash');
  const out: LsdAnnounce = { host, port, infoHashes };
  if (cookie !== undefined) out.cookie = cookie;
  return out;
}
