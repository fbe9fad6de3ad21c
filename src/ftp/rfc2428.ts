/**
 * Data-connection addresses: PORT and PASV (RFC 959 §4.1.2, §4.2: `h1,h2,h3,h4,p1,p2`) and their extended forms
 * EPRT and EPSV (RFC 2428 §2, §3: `|proto|address|port|` and `(|||port|)`). Pure parsing and formatting.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type HostPort = { host: string; port: number };

/** `h1,h2,h3,h4,p1,p2` (the argument of PORT, the inside of a 227 reply). */
export function parseHostPortCommas(text: string): HostPort | undefined {
  const m = /^(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return undefined;
  return { host: n.slice(0, 4).join('.'), port: n[4]! * 256 + n[5]! };
}

export function formatHostPortCommas(host: string, port: number): string {
  return `${host.split('.').join(',')},${port >> 8},${port & 255}`;
}

/** `|1|132.235.1.2|6275|` or `|2|::1|5282|` (RFC 2428 §2); the delimiter is the first character, any of 33-126. */
export function parseEprt(text: string): HostPort | undefined {
  const d = text[0];
  if (d === undefined || d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126 || /[0-9a-fA-F.:]/.test(d)) return undefined;
  const parts = text.split(d);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return undefined;
  const [, proto, host, portText] = parts as [string, string, string, string, string];
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  if (proto === '1' && isIPv4(host)) return { host, port };
  if (proto === '2' && isIPv6(host)) return { host, port };
  return undefined;
}

/** `229 Entering Extended Passive Mode (|||6446|)` (RFC 2428 §3). */
export function formatEpsvReply(port: number): string {
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/** The port of a 229 reply's `(|||port|)`; the delimiter may be any of 33-126 (RFC 2428 §3). */
export function parseEpsvReply(text: string): number | undefined {
  const m = /\(([!-~])\1\1(\d{1,5})\1\)/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** The address of a 227 reply, wherever the numbers are in its text (RFC 959 leaves the text free). */
export function parsePasvReply(text: string): HostPort | undefined {
  const m = /(\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3})/.exec(text);
  return m ? parseHostPortCommas(m[1]!) : undefined;
}

/** An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as the IPv4 address it carries, so the two compare equal. */
export function plainAddress(address: string | undefined): string {
  const a = address ?? '';
  return a.toLowerCase().startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a.toLowerCase();
}
