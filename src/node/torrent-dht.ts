/**
 * The DHT of one torrent (of `tandem get`, `tandem share`, or the node's) (BEP 5): which nodes it starts from, where its routing table is
 * kept between runs, and its wiring to the torrent.
 *
 * - `--no-dht`: no DHT at all.
 * - `--dht-bootstrap HOST:PORT...`: start from those nodes only; bound to 127.0.0.1 when they are all loopback.
 *   No state file unless `TANDEM_STATE_DIR` is set (a test's nodes never land in the user's state).
 * - neither: the well-known public routers (`DHT_DEFAULTS.publicBootstrap`), and the routing table saved in
 *   `$TANDEM_STATE_DIR`, else `$XDG_STATE_HOME/tandem`, else `~/.local/state/tandem` (`dht.json`), so the next
 *   start is fast. Refused with `TANDEM_NO_PUBLIC_DHT=1` (the test and bench runners set it).
 *
 * Rounds: see `dhtRoundIntervalMs`. Wiring: peers found go to `torrent.addPeers`; the torrent's handshakes carry the DHT bit and PORT messages
 * with our UDP port; a PORT from a peer gets its node pinged and, if it answers, added (`DhtNode.addNode`).
 */
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DhtError, DhtNode, DhtPeerSource, isLoopbackHost, parseHostPort, type DhtOptions } from '../dht/index.js';
import type { Torrent } from '../swarm/index.js';
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

/** A running DHT node wired to one torrent; `attach()` once the torrent listens, `stop()` at the end. */
export class TorrentDht {
  private source: DhtPeerSource | undefined;
  /** Peers the DHT has handed to the torrent. */
  peersFound = 0;

  private constructor(
    readonly node: DhtNode,
    private readonly torrent: Torrent,
    private readonly out: NodeLog,
  ) {}

  /** Starts the node before the torrent starts, so the torrent's first handshakes already carry the DHT bit. */
  static async start(torrent: Torrent, options: DhtOptions, out: NodeLog): Promise<TorrentDht> {
    let node = new DhtNode(options);
    try {
      await node.start();
    } catch (err) {
      // A machine with no IPv6 still gets a DHT, on IPv4 alone.
      if (!options.ipv6 || err instanceof DhtError) throw err;
      out.detail(`dht: no IPv6 socket (${(err as Error).message}); IPv4 only`);
      node = new DhtNode({ ...options, ipv6: false });
      await node.start();
    }
    if (!options.bootstrap) out.detail(`dht: joining the public DHT through ${node.options.publicBootstrap.join(', ')}${options.statePath ? `; routing table kept in ${options.statePath}` : ''}`);
    if (node.stateFileError) out.warn(`dht: ${node.stateFileError.message} (starting from the bootstrap nodes)`);
    const self = new TorrentDht(node, torrent, out);
    // BEP 5 PORT carries one port: the IPv4 node's (the IPv6 one's when there is no IPv4 node).
    torrent.localDhtPort = (node.address(4) ?? node.address(6))?.port;
    torrent.on('peer:dht-port', (p) => void node.addNode(p));
    return self;
  }

  /** Looks up and announces the torrent's listening port now, then as often as `dhtRoundIntervalMs` says. */
  attach(): void {
    this.source = new DhtPeerSource(this.node, this.torrent.infoHash, {
      port: this.torrent.listenPort,
      onPeers: (peers) => {
        this.peersFound += peers.length;
        this.torrent.addPeers(peers);
      },
      onError: (err) => this.out.detail(`dht: ${(err as Error).message}`),
      nextIntervalMs: () => dhtRoundIntervalMs({ done: this.torrent.isDone, peersFound: this.peersFound }),
    });
    this.source.start();
  }

  /** Stops the lookups, then the node (which saves its routing table when it has a state file). */
  async stop(): Promise<void> {
    await this.source?.stop();
    await this.node.stop();
    this.torrent.localDhtPort = undefined;
  }
}
