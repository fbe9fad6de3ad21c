/**
 * The DHT as a peer source for one torrent: look up and announce now, then again every `intervalMs`, handing
 * each new peer to `onPeers` as soon as a response brings it. This is what the torrent engine plugs in
 * (`torrent.addPeers`), and what `--no-dht` leaves out.
 *
 * @example
 *   const source = new DhtPeerSource(dht, infoHash, { port: 6881, onPeers: (p) => torrent.addPeers(p) });
 *   source.start();
 *   ...
 *   await source.stop();
 */
import type { PeerAddress } from './compact.js';
import type { DhtNode } from './node.js';

export interface DhtPeerSourceOptions {
  /** The TCP port our peer listens on; 0 (or a read-only node) means look up without announcing. */
  port: number;
  onPeers: (peers: PeerAddress[]) => void;
  /** Time between rounds; BEP 5 peers expire after about 30 minutes, so announce well within that. */
  intervalMs?: number;
  /** Asked after each round for the time to the next (overrides `intervalMs`): e.g. quick until peers are found. */
  nextIntervalMs?: () => number;
  /** Called when a round fails (the node is not running, say); the next round still comes. */
  onError?: (err: unknown) => void;
}

export const DHT_PEER_SOURCE_INTERVAL_MS = 5 * 60_000;

export class DhtPeerSource {
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private round: Promise<void> | undefined;
  private inRound = false;
  rounds = 0;

  constructor(
    private readonly dht: DhtNode,
    private readonly infoHash: Buffer,
    private readonly opts: DhtPeerSourceOptions,
  ) {}

  start(): void {
    if (this.round || this.abort.signal.aborted) return;
    this.schedule(0);
  }

  /** Runs one round now (a lookup, or a lookup and announce) and resolves when it is over. */
  async runOnce(): Promise<void> {
    const signal = this.abort.signal;
    const onPeer = (p: PeerAddress): void => this.opts.onPeers([p]);
    this.rounds++;
    if (this.opts.port > 0 && !this.dht.options.readOnly) {
      await this.dht.announce(this.infoHash, this.opts.port, { signal, onPeer });
    } else {
      for await (const p of this.dht.lookup(this.infoHash, { signal })) onPeer(p);
    }
  }

  /** Starts the next round now instead of at its time (a user's "reannounce"); nothing when one is under way. */
  refreshNow(): void {
    if (this.inRound || !this.timer || this.abort.signal.aborted) return;
    clearTimeout(this.timer);
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.inRound = true;
      this.round = this.runOnce()
        .catch((err: unknown) => {
          if (!this.abort.signal.aborted) this.opts.onError?.(err);
        })
        .finally(() => {
          this.inRound = false;
          if (!this.abort.signal.aborted) this.schedule(this.opts.nextIntervalMs?.() ?? this.opts.intervalMs ?? DHT_PEER_SOURCE_INTERVAL_MS);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => {});
  }
}
