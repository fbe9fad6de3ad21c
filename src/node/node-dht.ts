/**
 * The node's DHT (BEP 5), for the daemon and for the one-shot node under `tandem get` and `tandem share`: which
 * nodes it starts from, where its routing table is kept between runs, and how often a torrent looks itself up.
 *
 * - `--no-dht`: no DHT at all.
 * - `--dht-bootstrap HOST:PORT...`: start from those nodes only; bound to 127.0.0.1 when they are all loopback.
 *   No state file unless `TANDEM_STATE_DIR` is set (a test's nodes never land in the user's state).
 * - neither: the well-known public routers (`DHT_DEFAULTS.publicBootstrap`), and the routing table saved in
 *   `$TANDEM_STATE_DIR`, else `$XDG_STATE_HOME/tandem`, else `~/.local/state/tandem` (`dht.json`), so the next
 *   start is fast. Refused with `TANDEM_NO_PUBLIC_DHT=1` (the test and bench runners set it).
 * - A node with a state dir (the daemon) keeps the routing table there instead.
 *
 * Rounds: see `dhtRoundIntervalMs`. Each torrent's wiring is in `TorrentEntry.start` and `entry-discovery.ts`: peers found go to
 * `torrent.addPeers`; the handshakes carry the DHT bit and PORT messages with our UDP port; a PORT from a peer gets
 * its node pinged and, if it answers, added (`DhtNode.addNode`).
 */
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
// bootstrap.js, not the DHT's face (index.js): these two helpers are needed with --no-dht too, the rest is not.
import { isLoopbackHost, parseHostPort } from '../dht/bootstrap.js';
import type { DhtNode, DhtOptions } from '../dht/index.js';
import { loadModule } from '../util/load-module.js';
import type { NodeLog } from './log.js';

/** What the command line said about the DHT. */
export interface DhtChoice {
  /** False with --no-dht. */
  enabled: boolean;
  /** --dht-bootstrap nodes; none means the public routers. */
  bootstrap: string[];
}

/**
 * Time to the next DHT round (a get_peers lookup and announce_peer): every 15 s while a download has found no
 * peer through it, every 5 minutes while it downloads, every 15 minutes once seeding (as libtorrent's
 * dht_announce_interval). All well within the 30 minutes BEP 5 nodes keep an announce, and light on the public DHT.
 */
export function dhtRoundIntervalMs(state: { done: boolean; peersFound: number }): number {
  if (state.done) return 15 * 60_000;
  return state.peersFound === 0 ? 15_000 : 5 * 60_000;
}
const STATE_FILE = 'dht.json';

/** The DHT node's options for a choice, or undefined for none. Pure: the environment is passed in. */
export function dhtOptionsFor(choice: DhtChoice, env: NodeJS.ProcessEnv = process.env, home = homedir()): DhtOptions | undefined {
  if (!choice.enabled) return undefined;
  const given = choice.bootstrap.length > 0;
  const hosts = choice.bootstrap.map((b) => parseHostPort(b).host);
  const local = given && hosts.every(isLoopbackHost);
  // BEP 32: an IPv6 node beside the IPv4 one on the public DHT, and whenever a bootstrap node is IPv6.
  const ipv6 = !given || hosts.some((h) => isIP(h) === 6);
  const stateDir = env.TANDEM_STATE_DIR || (given ? undefined : join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'tandem'));
  return {
    ipv4: { host: local ? '127.0.0.1' : '0.0.0.0', port: 0 },
    ipv6: ipv6 ? { host: local ? '::1' : '::', port: 0 } : false,
    bootstrap: given ? choice.bootstrap : undefined,
    statePath: stateDir ? join(stateDir, STATE_FILE) : undefined,
  };
}

/**
 * Starts a DHT node with `options`. A machine with no IPv6 still gets a DHT, on IPv4 alone; a routing table that
 * cannot be read is a warning (the node starts from the bootstrap nodes). A refused start (`DhtError`, such as the
 * test guard's) is thrown.
 */
export async function startDhtNode(options: DhtOptions, log: NodeLog): Promise<DhtNode> {
  const { DhtNode, DhtError } = loadDht();
  let node = new DhtNode(options);
  try {
    await node.start();
  } catch (err) {
    if (!options.ipv6 || err instanceof DhtError) throw err;
    log.detail(`dht: no IPv6 socket (${(err as Error).message}); IPv4 only`);
    node = new DhtNode({ ...options, ipv6: false });
    await node.start();
  }
  if (!options.bootstrap) log.detail(`dht: joining the public DHT through ${node.options.publicBootstrap.join(', ')}${options.statePath ? `; routing table kept in ${options.statePath}` : ''}`);
  if (node.stateFileError) log.warn(`dht: ${node.stateFileError.message} (starting from the bootstrap nodes)`);
  return node;
}

/** The DHT's code (19 files), loaded when a node starts one: a run with --no-dht never parses it. */
export function loadDht(): typeof import('../dht/index.js') {
  return loadModule<typeof import('../dht/index.js')>('../dht/index.js', import.meta.url);
}
