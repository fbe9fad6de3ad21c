/**
 * Compact encodings of BEP 5 and BEP 32: a peer is 6 bytes (IPv4 + port) or 18 bytes (IPv6 + port); a node is
 * its 20-byte id followed by a compact peer, 26 or 38 bytes. Pure functions; lengths are checked before reading.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { malformed } from './errors.js';
import { asNodeId, ID_BYTES, type NodeId } from './node-id.js';

export type Family = 4 | 6;

export interface PeerAddress {
  host: string;
  port: number;
}

export interface Contact extends PeerAddress {
  id: NodeId;
}

const PEER_BYTES: Record<Family, number> = { 4: 6, 6: 18 };

export function familyOf(host: string): Family {
  return isIPv6(host) ? 6 : 4;
}

export function addressKey(a: PeerAddress): string {
  return familyOf(a.host) === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function ipBytes(host: string): Buffer {
  if (isIPv4(host)) return Buffer.from(host.split('.').map(Number));
  if (!isIPv6(host)) throw malformed(`not an IP address: ${host}`, 'KRPC_BAD_FIELD');
  // Expand "::" and any trailing dotted quad, then write 8 groups of 16 bits.
  let text = host.replace(/%.*$/, '');
  const quad = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (quad) {
    const b = quad[1]!.split('.').map(Number);
    text = text.slice(0, -quad[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Shorten the longest run of zero groups to "::" (RFC 5952), so addresses compare equal to what Node reports.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function encodePeer(p: PeerAddress): Buffer {
  const ip = ipBytes(p.host);
  const out = Buffer.allocUnsafe(ip.length + 2);
  ip.copy(out);
  out.writeUInt16BE(p.port, ip.length);
  return out;
}

export function decodePeer(bytes: Buffer): PeerAddress {
  if (bytes.length !== 6 && bytes.length !== 18) throw malformed(`a compact peer is 6 or 18 bytes, got ${bytes.length}`, 'KRPC_BAD_FIELD');
  const ipLen = bytes.length - 2;
  return { host: ipText(bytes.subarray(0, ipLen)), port: bytes.readUInt16BE(ipLen) };
}

export function encodeNodes(contacts: readonly Contact[]): Buffer {
  return Buffer.concat(contacts.flatMap((c) => [c.id, encodePeer(c)]));
}

/** Decodes a `nodes` (family 4) or `nodes6` (family 6) string; a length not a multiple of the record size is malformed. */
export function decodeNodes(bytes: Buffer, family: Family): Contact[] {
  const size = ID_BYTES + PEER_BYTES[family];
  if (bytes.length % size !== 0) throw malformed(`nodes${family === 6 ? '6' : ''} length ${bytes.length} is not a multiple of ${size}`, 'KRPC_BAD_FIELD');
  const out: Contact[] = [];
  for (let off = 0; off < bytes.length; off += size) {
    const peer = decodePeer(bytes.subarray(off + ID_BYTES, off + size));
    out.push({ id: asNodeId(Buffer.from(bytes.subarray(off, off + ID_BYTES))), ...peer });
  }
  return out;
}
