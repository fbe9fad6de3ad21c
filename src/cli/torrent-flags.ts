import { isIP } from 'node:net';
import { ENCRYPTION_POLICIES, isEncryptionPolicy, parsePeerAddress, type EncryptionPolicy } from '../node/index.js';
import { TandemError } from '../util/errors.js';

/** The flags of `get` and `share` that shape a torrent's swarm, checked into the node's terms (bad ones exit 2). */

export function parsePort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TandemError('CLI_USAGE', `--port: "${text}" is not a port (0-65535)`, 'input');
  return n;
}

export function parseCount(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new TandemError('CLI_USAGE', `${option}: "${text}" is not a count from 1 to 10000`, 'input');
  return n;
}

/** `--listen HOST` values: IP literals (IPv6 with or without brackets); none means every interface. */
export function parseListenHosts(values: string[]): string[] | undefined {
  if (values.length === 0) return undefined;
  return values.map((v) => {
    const host = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (!isIP(host)) throw new TandemError('CLI_USAGE', `--listen: "${v}" is not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0)`, 'input');
    return host;
  });
}

/** `--encryption allow|prefer|require` (MSE); absent leaves the node's default. */
export function parseEncryption(text: string | undefined): EncryptionPolicy | undefined {
  if (text === undefined) return undefined;
  if (!isEncryptionPolicy(text)) throw new TandemError('CLI_USAGE', `--encryption: "${text}" is not one of ${ENCRYPTION_POLICIES.join(', ')}`, 'input');
  return text;
}

/** `--only 0,3`: file indexes. */
export function parseOnly(text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => !/^\d{1,9}$/.test(s))) throw new TandemError('CLI_USAGE', `--only: "${text}" is not a list of file indexes (e.g. 0,3)`, 'input');
  return items.map(Number);
}

/** `--peer HOST:PORT` values, each checked (a bad one is bad input); passed on as given. */
export function parsePeers(values: string[]): string[] {
  for (const v of values) parsePeerAddress(v);
  return values;
}

/** `--webseed-max-requests N`: a cap from 1 to 64 on one web seed's requests in flight. */
export function parseWebSeedMaxRequests(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d{1,3}$/.test(text) || n < 1 || n > 64) throw new TandemError('CLI_USAGE', `--webseed-max-requests: "${text}" is not a count from 1 to 64`, 'input');
  return n;
}
