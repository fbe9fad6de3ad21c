import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { TorrentDetail } from '../node/index.js';
// The node's defaults alone (a leaf module): its face, index.ts, loads the whole node, SQLite and the swarm
// included, which a command that only talks to a running daemon never uses.
import { defaultStateDir, NODE_DEFAULTS } from '../node/defaults.js';
import { TandemError } from '../util/errors.js';
import { addCommonFlags, type CommonFlags } from './output.js';

/** The flags every command that talks to a running daemon takes. */
export interface RemoteFlags extends CommonFlags {
  rpc?: string;
  stateDir?: string;
}

export function addRemoteFlags(cmd: Command): Command {
  addCommonFlags(cmd);
  return cmd
    .addOption(new Option('--rpc <url>', 'the daemon\'s address, e.g. http://127.0.0.1:9091 or http://USER:PASS@host:9091 (default: from the state dir)'))
    .addOption(new Option('--state-dir <dir>', 'the daemon\'s state dir, for its address and token (default: $TANDEM_STATE_DIR, else ~/.local/state/tandem)'));
}

/** A JSON-RPC client for the daemon's `/api/rpc`: the address and token come from the state dir unless given. */
export class DaemonClient {
  private nextId = 1;

  private constructor(
    readonly url: URL,
    private readonly headers: Record<string, string>,
  ) {}

  static fromFlags(flags: RemoteFlags, env: NodeJS.ProcessEnv = process.env): DaemonClient {
    const stateDir = flags.stateDir ?? defaultStateDir(env);
    const given = flags.rpc ?? env.TANDEM_RPC;
    let base = given ?? readOptional(join(stateDir, 'rpc-address')) ?? `http://${NODE_DEFAULTS.rpcHost}:${NODE_DEFAULTS.rpcPort}/`;
    if (!/^https?:\/\//i.test(base)) base = `http://${base}`;
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new TandemError('CLI_USAGE', `--rpc: "${base}" is not a URL (e.g. http://127.0.0.1:9091)`, 'input');
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (url.username || url.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    } else {
      const token = readOptional(join(stateDir, NODE_DEFAULTS.tokenFile));
      if (token) headers.authorization = `Bearer ${token}`;
    }
    return new DaemonClient(new URL('/api/rpc', url), headers);
  }

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.url, { method: 'POST', headers: this.headers, body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }), signal: AbortSignal.timeout(60_000) });
    } catch {
      throw new TandemError('CLI_NO_DAEMON', `no daemon answers at ${this.url.origin}; start one with "tandem daemon" (or give --rpc URL)`, 'runtime');
    }
    if (res.status === 401) throw new TandemError('CLI_AUTH', `the daemon at ${this.url.origin} refused our credentials (give --rpc http://USER:PASS@HOST:PORT, or --state-dir for its token)`, 'runtime');
    const text = await res.text();
    let body: { result?: T; error?: { message: string; code: number; data?: { code: string } } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new TandemError('CLI_BAD_REPLY', `the daemon at ${this.url.origin} answered HTTP ${res.status}: ${text.slice(0, 200)}`, 'runtime');
    }
    if (body.error) throw new TandemError(body.error.data?.code ?? 'CLI_RPC', body.error.message, body.error.code === -32602 ? 'input' : 'runtime');
    return body.result as T;
  }
}

function readOptional(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** `ID...|all` arguments: integer ids or info-hash prefixes, or the word all. */
export function idArgs(values: string[]): (number | string)[] | 'all' {
  if (values.length === 1 && values[0] === 'all') return 'all';
  return values.map((v) => {
    // Digits may be an id or an info-hash prefix: the daemon tries the id first.
    if (/^\d{1,3}$/.test(v)) return Number(v);
    if (/^[0-9a-fA-F]{4,40}$/.test(v) || /^\d{1,9}$/.test(v)) return v.toLowerCase();
    throw new TandemError('CLI_USAGE', `"${v}" is neither a torrent id nor an info-hash prefix (4 to 40 hex digits)`, 'input');
  });
}

/** One torrent of the daemon in full, by the `ID` argument of show, files and peers. */
export function fetchTorrent(flags: RemoteFlags, id: string): Promise<TorrentDetail> {
  const [sel] = idArgs([id]) as (number | string)[];
  return DaemonClient.fromFlags(flags).call<TorrentDetail>('torrent.get', { id: sel });
}
