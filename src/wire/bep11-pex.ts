import { isBytes } from '../bencode/index.js';
import { decodeExtendedDict } from './bep10-extended.js';
import { WireError } from './errors.js';
import { encode } from '../bencode/index.js';

/** A peer address; `host` is a dotted IPv4 or an IPv6 literal without brackets. */
export interface PeerAddress {
  host: string;
  port: number;
}

export interface PexMessage {
  added: PeerAddress[];
  dropped: PeerAddress[];
}

/** BEP 11: a message should hold at most 50 added and 50 dropped peers; more is tolerated up to this. */
export const MAX_PEX_PEERS = 200;

/** Compact peers (BEP 23 for IPv4: 6 bytes each; BEP 7 for IPv6: 18 bytes each). */
export function decodeCompactPeers(bytes: Buffer, ipv6: boolean): PeerAddress[] {
  const step = ipv6 ? 18 : 6;
  if (bytes.length % step !== 0) throw new WireError('WIRE_BAD_EXTENDED', `compact peer list of ${bytes.length} bytes is not a multiple of ${step}`);
  const out: PeerAddress[] = [];
  for (let i = 0; i + step <= bytes.length && out.length < MAX_PEX_PEERS; i += step) {
    const port = bytes.readUInt16BE(i + step - 2);
    const host = ipv6 ? ipv6Text(bytes.subarray(i, i + 16)) : `${bytes[i]}.${bytes[i + 1]}.${bytes[i + 2]}.${bytes[i + 3]}`;
    if (port > 0) out.push({ host, port });
  }
  return out;
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

function ipv6Bytes(host: string): Buffer | undefined {
  const parts = host.split('::');
  if (parts.length > 2) return undefined;
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (parts.length === 1 && fill !== 0)) return undefined;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  }
  return out;
}

export function encodeCompactPeers(peers: PeerAddress[], ipv6: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const p of peers) {
    const b = Buffer.alloc(ipv6 ? 18 : 6);
    if (ipv6) {
      const ip = ipv6Bytes(p.host);
      if (!ip) continue;
      ip.copy(b, 0);
    } else {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(p.host);
      if (!m) continue;
      for (let i = 0; i < 4; i++) b[i] = Number(m[i + 1]) & 0xff;
    }
    b.writeUInt16BE(p.port, b.length - 2);
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Decodes a ut_pex message (BEP 11): `added`, `added6`, `dropped`, `dropped6`; flags are ignored. */
export function decodePex(payload: Buffer): PexMessage {
  const d = decodeExtendedDict(payload, 'ut_pex');
  const list = (key: string, v6: boolean): PeerAddress[] => {
    const v = d.get(key);
    return isBytes(v) ? decodeCompactPeers(v, v6) : [];
  };
  return { added: [...list('added', false), ...list('added6', true)].slice(0, MAX_PEX_PEERS), dropped: [...list('dropped', false), ...list('dropped6', true)].slice(0, MAX_PEX_PEERS) };
}

export function encodePex(m: PexMessage): Buffer {
  const isV6 = (p: PeerAddress): boolean => p.host.includes(':');
  const added = m.added.slice(0, 50);
  const dropped = m.dropped.slice(0, 50);
  const a4 = added.filter((p) => !isV6(p));
  const a6 = added.filter(isV6);
  return encode({
    added: encodeCompactPeers(a4, false),
    'added.f': Buffer.alloc(a4.length),
    added6: encodeCompactPeers(a6, true),
    'added6.f': Buffer.alloc(a6.length),
    dropped: encodeCompactPeers(dropped.filter((p) => !isV6(p)), false),
    dropped6: encodeCompactPeers(dropped.filter(isV6), true),
  });
}
