/**
 * Local Service Discovery (BEP 14) for the node, the daemon's and the one-shot node under `tandem get` and
 * `tandem share` alike: every running torrent's info hash is announced to the LAN's multicast group with the
 * node's one peer port, and a neighbour's announce becomes a peer of the torrent it names.
 *
 * - On by default; `--no-lsd` turns it off. With `TANDEM_NO_PUBLIC_DHT=1` (the test and bench runners set it) it
 *   is off unless `--lsd` asks for it: a multicast announce leaves loopback, and tests send nothing off loopback.
 * - Where: on the interfaces the peer listener listens on (`lsdInterfaces`), IPv4 and IPv6, one `LsdService` each.
 * - A failure to join the group (no multicast route, no such interface) is one `--verbose` line, never a failed
 *   download: LSD is a help, the trackers and the DHT still run.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { LsdOptions, LsdService } from '../lsd/index.js';
import { loadModule } from '../util/load-module.js';
import type { PeerAddress } from '../wire/index.js';
import type { NodeLog } from './log.js';

/** Whether LSD runs: `flag` is true for --lsd, false for --no-lsd, undefined for neither. Pure. */
export function lsdEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  // The test/bench guard: multicast reaches the LAN, so only an explicit --lsd sends it.
  return env.TANDEM_NO_PUBLIC_DHT !== '1';
}

/**
 * Time to the next announce: every minute while a download has found nobody through LSD (BEP 14 asks for at most
 * one announce a minute per torrent), every 5 minutes after that and while seeding (as libtorrent).
 */
export function lsdAnnounceIntervalMs(state: { done: boolean; peersFound: number }): number {
  return !state.done && state.peersFound === 0 ? 60_000 : 5 * 60_000;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;
export type LsdInterface = Required<Pick<LsdOptions, 'family' | 'interfaceAddress'>>;

/**
 * The interfaces to announce on for a torrent listening on `listenHosts`: for a wildcard, every non-loopback
 * interface of that family (`::` also covers IPv4, as the listener binds dual-stack); for an address, the interface
 * that holds it. IPv4 names the interface by its address, IPv6 by scope (`::%eth0`), as `LsdService` wants. Pure.
 */
export function lsdInterfaces(listenHosts: string[], nets: Interfaces): LsdInterface[] {
  const found = new Map<string, LsdInterface>();
  const add = (family: 4 | 6, interfaceAddress: string): void => void found.set(`${family} ${interfaceAddress}`, { family, interfaceAddress });
  for (const raw of listenHosts) {
    const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    for (const [name, infos] of Object.entries(nets)) {
      for (const info of infos ?? []) {
        if (info.internal) continue; // loopback has no multicast; a neighbour is never there
        const v4 = info.family === 'IPv4';
        const match = host === '::' || (host === '0.0.0.0' && v4) || (isIP(host) !== 0 && info.address === host);
        if (match) add(v4 ? 4 : 6, v4 ? info.address : `::%${name}`);
      }
    }
  }
  return [...found.values()];
}

/** What LSD needs of the node: where its peers listen, what to announce, where a neighbour goes. */
export interface LsdHost {
  readonly hosts: string[];
  readonly port: number;
  /** The info hashes to announce now: the running torrents that are not private. */
  announced(): Buffer[];
  /** A neighbour announced one of ours (lowercase hex). */
  addPeer(infoHashHex: string, peer: PeerAddress): void;
  /** Whether some running torrent still downloads: announces come sooner while LSD has found nobody. */
  downloading(): boolean;
}

const MAX_SEEN = 1_000;
/** How often the set of running torrents is compared with what was last announced. */
const REFRESH_INTERVAL_MS = 60_000;

export class NodeLsd {
  private services: LsdService[] = [];
  /**
   * One cookie for every interface: each socket is bound to the group port on every address, so it also hears
   * what the other interfaces' services send, and must know it for ours (or we would dial ourselves).
   */
  private readonly cookie = randomBytes(8).toString('hex');
  /** Neighbours already reported (one announce is heard once per socket); bounded. */
  private readonly seen = new Set<string>();
  private peersFound = 0;
  private lastAnnounced = '';
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly host: LsdHost,
    private readonly log: NodeLog,
    /** Where to announce for the listen hosts (a test names an interface it cannot join). */
    private readonly interfacesFor: (listenHosts: string[]) => LsdInterface[] = (hosts) => lsdInterfaces(hosts, networkInterfaces()),
  ) {}

  /** Joins the group on each interface and announces; a join that fails is reported and skipped. */
  async start(): Promise<void> {
    let where: LsdInterface[];
    try {
      where = this.interfacesFor(this.host.hosts);
    } catch (err) {
      // Some sandboxes refuse the interface list (uv_interface_addresses): no LSD there, the download goes on.
      this.log.detail(`lsd: cannot list the network interfaces: ${(err as Error).message}`);
      return;
    }
    if (where.length === 0) this.log.detail('lsd: no interface with multicast to announce on');
    // Loaded here, not at the top: a run with --no-lsd never parses it.
    const { LsdService } = loadModule<typeof import('../lsd/index.js')>('../lsd/index.js', import.meta.url);
    for (const iface of where) {
      const service = new LsdService(
        {
          ...iface,
          cookie: this.cookie,
          peerPort: this.host.port,
          nextIntervalMs: () => lsdAnnounceIntervalMs({ done: !this.host.downloading(), peersFound: this.peersFound }),
        },
        (peer) => this.heard(peer.infoHash.toString('hex'), { host: peer.host, port: peer.port }, iface.interfaceAddress),
      );
      try {
        await service.start();
      } catch (err) {
        this.log.detail(`lsd: not on ${iface.interfaceAddress}: ${(err as Error).message}`);
        continue;
      }
      this.services.push(service);
      this.log.detail(`lsd: announcing on ${iface.interfaceAddress}`);
    }
    this.refresh();
    this.timer = setInterval(() => this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Announces at once when the set of running torrents changed (a torrent started or stopped). */
  refresh(): void {
    const hashes = this.host.announced();
    const key = hashes.map((h) => h.toString('hex')).sort().join(',');
    if (key === this.lastAnnounced) return;
    this.lastAnnounced = key;
    for (const s of this.services) s.announce(hashes);
  }

  private heard(infoHashHex: string, peer: PeerAddress, where: string): void {
    if (!this.host.announced().some((h) => h.toString('hex') === infoHashHex)) return;
    const key = `${infoHashHex} ${peer.host} ${peer.port}`;
    if (!this.seen.has(key) && this.seen.size < MAX_SEEN) {
      this.seen.add(key);
      this.peersFound++;
      this.log.detail(`lsd: peer ${peer.host} port ${peer.port} (heard on ${where})`);
    }
    this.host.addPeer(infoHashHex, peer);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const services = this.services;
    this.services = [];
    await Promise.all(services.map((s) => s.stop()));
  }
}
