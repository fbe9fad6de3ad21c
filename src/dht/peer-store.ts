/**
 * Peers announced to us (BEP 5 announce_peer), per info hash, with expiry and caps so that a flood of announces
 * costs a bounded amount of memory. Pure: time is passed in.
 */
import { addressKey, familyOf, type Family, type PeerAddress } from './compact.js';

export interface PeerStoreOptions {
  peerTtlMs: number;
  maxInfoHashes: number;
  maxPeersPerInfoHash: number;
}

interface Stored {
  peer: PeerAddress;
  expiresMs: number;
}

export class PeerStore {
  // Map order is insertion order: re-inserting on refresh keeps the oldest first, which is what eviction drops.
  private readonly torrents = new Map<string, Map<string, Stored>>();

  constructor(private readonly opts: PeerStoreOptions) {}

  get infoHashCount(): number {
    return this.torrents.size;
  }

  peerCount(): number {
    let n = 0;
    for (const peers of this.torrents.values()) n += peers.size;
    return n;
  }

  add(infoHash: Buffer, peer: PeerAddress, nowMs: number): void {
    const key = infoHash.toString('hex');
    let peers = this.torrents.get(key);
    if (!peers) {
      if (this.torrents.size >= this.opts.maxInfoHashes) {
        this.expire(nowMs);
        if (this.torrents.size >= this.opts.maxInfoHashes) this.torrents.delete(this.torrents.keys().next().value!);
      }
      peers = new Map();
      this.torrents.set(key, peers);
    }
    const pk = addressKey(peer);
    peers.delete(pk);
    if (peers.size >= this.opts.maxPeersPerInfoHash) peers.delete(peers.keys().next().value!);
    peers.set(pk, { peer: { host: peer.host, port: peer.port }, expiresMs: nowMs + this.opts.peerTtlMs });
  }

  /** Up to `limit` live peers of one family, picked at random so every peer gets handed out over time. */
  get(infoHash: Buffer, family: Family, limit: number, nowMs: number, random: () => number = Math.random): PeerAddress[] {
    const peers = this.torrents.get(infoHash.toString('hex'));
    if (!peers) return [];
    const live: PeerAddress[] = [];
    for (const [k, s] of peers) {
      if (s.expiresMs <= nowMs) peers.delete(k);
      else if (familyOf(s.peer.host) === family) live.push(s.peer);
    }
    if (peers.size === 0) this.torrents.delete(infoHash.toString('hex'));
    for (let i = live.length - 1; i > 0 && live.length - i <= limit; i--) {
      const j = Math.floor(random() * (i + 1));
      [live[i], live[j]] = [live[j]!, live[i]!];
    }
    return live.length <= limit ? live : live.slice(live.length - limit);
  }

  expire(nowMs: number): void {
    for (const [key, peers] of this.torrents) {
      for (const [k, s] of peers) if (s.expiresMs <= nowMs) peers.delete(k);
      if (peers.size === 0) this.torrents.delete(key);
    }
  }
}
