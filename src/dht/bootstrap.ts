/**
 * Where a DHT node starts: the bootstrap list (given, or the well-known public routers by default), resolved to
 * addresses, and the guard that keeps test runs off the public network.
 *
 * Guard: with `TANDEM_NO_PUBLIC_DHT=1` in the environment (the test and bench runners set it), a node may only
 * start from loopback nodes. Falling back to the public routers, or being handed a non-loopback bootstrap or
 * saved node, is a loud `DHT_PUBLIC_FORBIDDEN` error instead of silent traffic to the Internet.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { PeerAddress } from './compact.js';
import { DhtError } from './errors.js';

/** The environment variable that forbids the public DHT (tests and benchmarks set it to 1). */
export const NO_PUBLIC_DHT_ENV = 'TANDEM_NO_PUBLIC_DHT';

export function publicDhtForbidden(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[NO_PUBLIC_DHT_ENV] === '1';
}

/** Parses HOST:PORT or [V6]:PORT (as `--dht-bootstrap` takes it). */
export function parseHostPort(text: string): PeerAddress {
  const m = text.match(/^\[([^\]]+)\]:(\d+)$/) ?? text.match(/^([^:]+):(\d+)$/);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) throw new DhtError('DHT_BAD_ADDRESS', `not HOST:PORT: ${text}`, 'input');
  return { host: m[1], port };
}

/** 127.0.0.0/8, ::1 (and IPv4-mapped loopback), or the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Throws DHT_PUBLIC_FORBIDDEN when the guard is on and the node would reach past loopback: no bootstrap list
 * (the public routers), or any bootstrap or saved node that is not loopback.
 */
export function checkPublicGuard(bootstrap: readonly string[] | undefined, saved: readonly PeerAddress[], forbidden: boolean): void {
  if (!forbidden) return;
  const hint = `${NO_PUBLIC_DHT_ENV}=1 forbids the public DHT: pass --no-dht or --dht-bootstrap 127.0.0.1:PORT`;
  if (bootstrap === undefined) throw new DhtError('DHT_PUBLIC_FORBIDDEN', `no DHT bootstrap node given, so the public routers would be used; ${hint}`, 'input');
  const outside = [...bootstrap.filter((b) => !isLoopbackHost(parseHostPort(b).host)), ...saved.filter((n) => !isLoopbackHost(n.host)).map((n) => `${n.host}:${n.port} (saved)`)];
  if (outside.length > 0) throw new DhtError('DHT_PUBLIC_FORBIDDEN', `DHT nodes off loopback: ${outside.slice(0, 3).join(', ')}; ${hint}`, 'input');
}

/** Resolves HOST:PORT entries to addresses (every address a name has); a name that does not resolve is skipped. */
export async function resolveBootstrap(list: readonly string[], forbidden: boolean): Promise<PeerAddress[]> {
  const out: PeerAddress[] = [];
  for (const entry of list) {
    const { host, port } = parseHostPort(entry);
    if (isIP(host)) out.push({ host, port });
    else {
      const found = await dnsLookup(host, { all: true }).catch(() => []);
      for (const a of found) out.push({ host: a.address, port });
    }
  }
  // Under the guard a name must resolve to loopback too ("localhost" could be pointed elsewhere).
  return forbidden ? out.filter((a) => isLoopbackHost(a.host)) : out;
}
