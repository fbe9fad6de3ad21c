import { isIP } from 'node:net';
import type { PeerAddress } from '../wire/index.js';
import { SwarmError } from './errors.js';

/** Parses `HOST:PORT` or `[IPV6]:PORT` (BEP 7 peers are given in brackets). */
export function parsePeerAddress(text: string): PeerAddress {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535) throw new SwarmError('SWARM_BAD_PEER', `"${text}" is not a peer address (HOST:PORT or [IPv6]:PORT)`, 'input');
  return { host: m[1]!, port };
}

/** A stable key for a peer address; IPv4-mapped IPv6 addresses are folded to IPv4. */
export function addressKey(a: PeerAddress): string {
  const host = normaliseHost(a.host);
  return isIP(host) === 6 ? `[${host}]:${a.port}` : `${host}:${a.port}`;
}

export function normaliseHost(host: string): string {
  return host.startsWith('::ffff:') && isIP(host.slice(7)) === 4 ? host.slice(7) : host;
}
