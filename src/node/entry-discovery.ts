import type { DhtNode, DhtPeerSource } from '../dht/index.js';
import type { Torrent } from '../swarm/index.js';
import { TrackerClient } from '../tracker/client/index.js';
import type { PeerAddress } from '../wire/index.js';
import type { NodeLog } from './log.js';
import { dhtRoundIntervalMs, loadDht } from './node-dht.js';
import type { SwarmEvents, TorrentTrackerInfo } from './types.js';

type Emit = <K extends keyof SwarmEvents>(event: K, detail: SwarmEvents[K]) => void;

/**
 * The peer sources of one running torrent: its trackers (BEP 3, 12, 15) and its DHT lookups (BEP 5), both
 * announcing the node's peer port. `completed()` once the download is done, `stop()` with the torrent (trackers
 * get BEP 3's `stopped`).
 */
export class EntryDiscovery {
  private tracker?: TrackerClient;
  private dhtSource?: DhtPeerSource;
  /** Peers the DHT handed to the torrent: lookups come every 15 s until it finds one. */
  private dhtPeersFound = 0;

  constructor(
    private readonly id: number,
    private readonly torrent: Torrent,
    private readonly emit: Emit,
    private readonly log: NodeLog,
  ) {}

  /** Announces to `tiers`, keeping each tracker's last result in `trackers` (the API's tracker list). */
  startTrackers(tiers: string[][], port: number, trackers: Map<string, TorrentTrackerInfo>): void {
    if (tiers.length === 0) return;
    const torrent = this.torrent;
    const tracker = new TrackerClient({ infoHash: torrent.infoHash, peerId: torrent.peerId, port, tiers }, {
      stats: () => {
        const s = torrent.stats();
        return { uploaded: s.uploadedBytes, downloaded: s.downloadedBytes, left: s.wantedBytes - s.verifiedBytes };
      },
    });
    tiers.forEach((tier, i) => tier.forEach((url) => trackers.set(url, { url, tier: i, lastAnnounceAt: 0, lastResult: '', seeders: -1, leechers: -1, lastPeerCount: 0, nextAnnounceAt: 0, announcing: false })));
    tracker.on('peers', ({ peers }) => torrent.addPeers(peers as PeerAddress[]));
    tracker.on('announce', ({ url, response }) => {
      const t = trackers.get(url);
      if (t) Object.assign(t, { lastAnnounceAt: Date.now(), lastResult: 'Success', seeders: response.complete ?? -1, leechers: response.incomplete ?? -1, lastPeerCount: response.peers.length });
    });
    tracker.on('error', ({ url, error }) => {
      const t = trackers.get(url);
      if (t) Object.assign(t, { lastAnnounceAt: Date.now(), lastResult: error.message });
      this.emit('tracker:error', { id: this.id, url, message: error.message });
    });
    tracker.on('warning', ({ url, message }) => this.emit('tracker:warning', { id: this.id, url, message }));
    tracker.start();
    this.tracker = tracker;
  }

  /** The announcer's schedule (who is asked now, who next and when), for the API's tracker list. */
  trackerStatus(): ReturnType<TrackerClient['status']> | undefined {
    return this.tracker?.status();
  }

  /** Looks the torrent up in the DHT and announces `port`, now and as often as `dhtRoundIntervalMs` says. */
  startDht(dht: DhtNode, port: number): void {
    const torrent = this.torrent;
    const { DhtPeerSource } = loadDht(); // loaded already: `dht` is running
    this.dhtSource = new DhtPeerSource(dht, torrent.infoHash, {
      port,
      onPeers: (peers) => {
        this.dhtPeersFound += peers.length;
        torrent.addPeers(peers);
      },
      onError: (err) => this.log.detail(`dht: ${(err as Error).message}`),
      nextIntervalMs: () => dhtRoundIntervalMs({ done: torrent.isDone, peersFound: this.dhtPeersFound }),
    });
    this.dhtSource.start();
  }

  /** BEP 3: the `completed` event, sent once when the download finishes (never for data that was complete at start). */
  completed(): void {
    this.tracker?.completed();
  }

  /** A person asks the trackers and the DHT for peers now (`torrent-reannounce`). */
  reannounce(): void {
    this.tracker?.announceNow(true);
    this.dhtSource?.refreshNow();
  }

  async stop(): Promise<void> {
    await Promise.all([this.tracker?.stop(), this.dhtSource?.stop()]);
  }
}
