// Compact peer lists: BEP 23 (6 bytes per IPv4 peer) and BEP 7 (18 bytes per IPv6 peer). Pure.
import { isIPv4, isIPv6 } from 'node:net';
import type { PeerAddress } from './types.js';

/** Decodes a compact list; a trailing partial entry is ignored (BEP 23 says nothing; being lenient costs nothing). */
export function decodeCompactPeers(bytes: Buffer, family: 4 | 6, maxPeers = Infinity): PeerAddress[] {
  const size = family === 4 ? 6 : 18;
  const count = Math.min(Math.floor(bytes.length / size), maxPeers);
  const peers: PeerAddress[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    const port = bytes.readUInt16BE(at + size - 2);
    const host = family === 4 ? `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}` : ipv6ToString(bytes.subarray(at, at + 16));
    if (port !== 0) peers.push({ host, port, family });
  }
  return peers;
}

/** The compact form of one address (6 or 18 bytes), or undefined when the host is not an IP literal. */
export function encodeCompactPeer(host: string, port: number): Buffer | undefined {
  if (isIPv4(host)) {
    const b = Buffer.allocUnsafe(6);
    const parts = host.split('.');
    for (let i = 0; i < 4; i++) b[i] = Number(parts[i]);
    b.writeUInt16BE(port, 4);
    return b;
  }
  if (isIPv6(host)) {
    const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
    if (mapped) return encodeCompactPeer(mapped[1]!, port);
    const b = Buffer.alloc(18);
    ipv6ToBytes(host).copy(b, 0);
    b.writeUInt16BE(port, 16);
    return b;
  }
  return undefined;
}

/** The text form of an IPv6 address, with the longest zero run shortened (RFC 5952). */
export function ipv6ToString(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function ipv6ToBytes(host: string): Buffer {
  const out = Buffer.alloc(16);
  let text = host.replace(/%.*$/, '');
  // An embedded IPv4 tail (::1.2.3.4) becomes two hex groups.
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const p = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + `${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}
