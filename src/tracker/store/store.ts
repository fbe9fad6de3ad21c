// The swarm store: everything the tracker server remembers, behind one small interface, so a memory backend and a
// Redis backend (several tracker processes serving one swarm) are interchangeable and pass one shared test suite.
import type { AnnounceEvent } from '../types.js';

export interface StoreAnnounce {
  /** 20 bytes. */
  infoHash: Buffer;
  /** 20 bytes. */
  peerId: Buffer;
  /** The peer's compact address: 6 bytes (IPv4) or 18 bytes (IPv6), BEP 23 / BEP 7. */
  addr: Buffer;
  seeder: boolean;
  event: AnnounceEvent;
  /** How many peers to return, already capped by the server. */
  numwant: number;
  /** Which address families the requester can use: UDP answers in its own family only (BEP 15). */
  families: 'v4' | 'v6' | 'both';
  nowMs: number;
  /** Return peer ids too (the non-compact BEP 3 form); compact answers skip the work. */
  withPeerIds?: boolean;
}

export interface StoreAnnounceResult {
  complete: number;
  incomplete: number;
  downloaded: number;
  /** A random sample of other peers, compact: 6 bytes each for IPv4 (BEP 23), 18 for IPv6 (BEP 7). */
  peers4: Buffer;
  peers6: Buffer;
  /** With `withPeerIds`: the peer ids, in the order of the entries of peers4 and peers6. */
  ids4?: Buffer[];
  ids6?: Buffer[];
}

export interface StoreScrape {
  complete: number;
  incomplete: number;
  downloaded: number;
}

export interface StoreStats {
  torrents: number;
  seeders: number;
  leechers: number;
  downloaded: number;
}

export interface StoreLimits {
  maxTorrents: number;
  maxPeersPerTorrent: number;
  maxPeersTotal: number;
  /** A peer not heard from for this long is forgotten. */
  peerTtlMs: number;
}

export interface SwarmStore {
  /** Records the peer (or removes it on `stopped`) and returns the swarm's counts and a random sample of others. */
  announce(a: StoreAnnounce): Promise<StoreAnnounceResult>;
  /**
   * The same, answered at once: offered by a store that needs no I/O (memory), so a transport can answer an
   * announce without a promise per step.
   */
  announceNow?(a: StoreAnnounce): StoreAnnounceResult;
  /** One entry per info hash, zeros for unknown torrents. */
  scrape(infoHashes: Buffer[]): Promise<StoreScrape[]>;
  stats(): Promise<StoreStats>;
  /** Forgets peers whose last announce is older than the TTL; returns how many. */
  sweep(nowMs: number): Promise<number>;
  close(): Promise<void>;
}
