import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { LsdService } from '../lsd/index.js';
import type { PeerListener, Torrent } from '../swarm/index.js';
import type { NodeLog } from './log.js';
import { lsdAnnounceIntervalMs, lsdEnabled, lsdInterfaces } from './torrent-lsd.js';

/**
 * Local Service Discovery (BEP 14) for the whole node: one service per interface announces every running
 * torrent's info hash with the node's one peer port; a neighbour's announce goes to the torrent it names.
 * Off under the test guard (`TANDEM_NO_PUBLIC_DHT=1`), as for `get`: multicast leaves loopback.
 */
export class NodeLsd {
  private services: LsdService[] = [];
  private readonly cookie = randomBytes(8).toString('hex');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly listener: PeerListener,
    private readonly torrentFor: (infoHashHex: string) => Torrent | undefined,
    private readonly log: NodeLog,
    private readonly running: () => Buffer[] = () => [],
  ) {}

  async start(): Promise<void> {
    if (!lsdEnabled(undefined)) return;
    let where;
    try {
      where = lsdInterfaces(this.listener.hosts, networkInterfaces());
    } catch (err) {
      this.log.detail(`lsd: cannot list the network interfaces: ${(err as Error).message}`);
      return;
    }
    for (const iface of where) {
      const service = new LsdService(
        { ...iface, cookie: this.cookie, peerPort: this.listener.port, nextIntervalMs: () => lsdAnnounceIntervalMs({ done: true, peersFound: 1 }) },
        (peer) => this.torrentFor(peer.infoHash.toString('hex'))?.addPeers([{ host: peer.host, port: peer.port }]),
      );
      try {
        await service.start();
        this.services.push(service);
      } catch (err) {
        this.log.detail(`lsd: not on ${iface.interfaceAddress}: ${(err as Error).message}`);
      }
    }
    this.refresh();
    // The set of running torrents changes; the announce list follows it every minute (BEP 14's pace).
    this.timer = setInterval(() => this.refresh(), 60_000);
    this.timer.unref();
  }

  private refresh(): void {
    const hashes = this.running();
    for (const s of this.services) s.announce(hashes);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.services.map((s) => s.stop()));
    this.services = [];
  }
}
