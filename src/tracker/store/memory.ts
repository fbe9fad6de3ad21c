// The in-memory swarm store. Sized for a million peers in well under 300 MB: a peer is one small object whose
// fields are a latin1 string (its compact address) and small integers, kept in an array (for O(1) random
// sampling and swap-removal) and a map keyed by peer id (for updates).
import { TrackerError } from '../errors.js';
import type { StoreAnnounce, StoreAnnounceResult, StoreLimits, StorePeer, StoreScrape, StoreStats, SwarmStore } from './store.js';

interface Peer {
  /** The map key (peer id as latin1, then the family digit): the same string as the map holds, no copy. */
  key: string;
  /** Compact address as latin1 (one char per byte). */
  addr: string;
  seeder: boolean;
  /** Seconds, so V8 keeps it a small integer rather than a boxed double. */
  lastS: number;
  /** Position in its family's array. */
  idx: number;
}

interface Torrent {
  v4: Peer[];
  v6: Peer[];
  /** Keyed by peer id (latin1) plus the family digit: one peer may announce over both families. */
  byKey: Map<string, Peer>;
  seeders: number;
  downloaded: number;
}

export class MemoryStore implements SwarmStore {
  private readonly torrents = new Map<string, Torrent>();
  private peersTotal = 0;
  private downloadedTotal = 0;
  private seedersTotal = 0;

  constructor(private readonly limits: StoreLimits) {}

  async announce(a: StoreAnnounce): Promise<StoreAnnounceResult> {
    return this.announceSync(a);
  }

  /** The synchronous core, also used directly by the server's fast path. */
  announceSync(a: StoreAnnounce): StoreAnnounceResult {
    const ih = a.infoHash.toString('latin1');
    let t = this.torrents.get(ih);
    if (!t) {
      if (a.event === 'stopped') return { complete: 0, incomplete: 0, downloaded: 0, peers: [] };
      if (this.torrents.size >= this.limits.maxTorrents) throw new TrackerError('TRACKER_FULL', 'tracker is tracking as many torrents as it may');
      t = { v4: [], v6: [], byKey: new Map(), seeders: 0, downloaded: 0 };
      this.torrents.set(ih, t);
    }
    const v6 = a.addr.length === 18;
    const key = a.peerId.toString('latin1') + (v6 ? '6' : '4');
    let self = t.byKey.get(key);
    if (a.event === 'completed') {
      t.downloaded++;
      this.downloadedTotal++;
    }
    if (a.event === 'stopped') {
      if (self) this.remove(t, key, self);
      self = undefined;
    } else if (self) {
      if (self.seeder !== a.seeder) this.countSeeder(t, a.seeder ? 1 : -1);
      self.seeder = a.seeder;
      self.addr = a.addr.toString('latin1');
      self.lastS = Math.floor(a.nowMs / 1000);
    } else if (t.byKey.size < this.limits.maxPeersPerTorrent && this.peersTotal < this.limits.maxPeersTotal) {
      const list = v6 ? t.v6 : t.v4;
      self = { key, addr: a.addr.toString('latin1'), seeder: a.seeder, lastS: Math.floor(a.nowMs / 1000), idx: list.length };
      list.push(self);
      t.byKey.set(key, self);
      this.peersTotal++;
      if (a.seeder) this.countSeeder(t, 1);
    }
    const peers: StorePeer[] = [];
    if (a.event !== 'stopped' && a.numwant > 0) {
      const want = a.numwant;
      if (a.families !== 'v6') sample(t.v4, want, self, a.withPeerIds === true, peers);
      if (a.families !== 'v4') sample(t.v6, want - peers.length, self, a.withPeerIds === true, peers);
    }
    const result = { complete: t.seeders, incomplete: t.byKey.size - t.seeders, downloaded: t.downloaded, peers };
    if (t.byKey.size === 0 && t.downloaded === 0) this.torrents.delete(ih);
    return result;
  }

  private countSeeder(t: Torrent, delta: number): void {
    t.seeders += delta;
    this.seedersTotal += delta;
  }

  private remove(t: Torrent, key: string, p: Peer): void {
    const list = p.addr.length === 18 ? t.v6 : t.v4;
    const last = list.pop()!;
    if (last !== p) {
      list[p.idx] = last;
      last.idx = p.idx;
    }
    t.byKey.delete(key);
    this.peersTotal--;
    if (p.seeder) this.countSeeder(t, -1);
  }

  async scrape(infoHashes: Buffer[]): Promise<StoreScrape[]> {
    return infoHashes.map((h) => {
      const t = this.torrents.get(h.toString('latin1'));
      if (!t) return { complete: 0, incomplete: 0, downloaded: 0 };
      return { complete: t.seeders, incomplete: t.byKey.size - t.seeders, downloaded: t.downloaded };
    });
  }

  async stats(): Promise<StoreStats> {
    return { torrents: this.torrents.size, seeders: this.seedersTotal, leechers: this.peersTotal - this.seedersTotal, downloaded: this.downloadedTotal };
  }

  async sweep(nowMs: number): Promise<number> {
    const oldestS = Math.floor((nowMs - this.limits.peerTtlMs) / 1000);
    let dropped = 0;
    for (const [ih, t] of this.torrents) {
      for (const [key, p] of t.byKey) {
        if (p.lastS < oldestS) {
          this.remove(t, key, p);
          dropped++;
        }
      }
      // A torrent nobody announces keeps only its completed count; forget it when it has no peers left.
      if (t.byKey.size === 0) this.torrents.delete(ih);
    }
    return dropped;
  }

  async close(): Promise<void> {
    this.torrents.clear();
  }
}

/** Appends up to `n` distinct random peers of `list` other than `self`. */
function sample(list: Peer[], n: number, self: Peer | undefined, withIds: boolean, out: StorePeer[]): void {
  const len = list.length;
  if (n <= 0 || len === 0) return;
  let added = 0;
  const push = (p: Peer): void => {
    if (p === self || added >= n) return;
    out.push(withIds ? { addr: Buffer.from(p.addr, 'latin1'), peerId: Buffer.from(p.key, 'latin1').subarray(0, 20) } : { addr: Buffer.from(p.addr, 'latin1') });
    added++;
  };
  if (len <= n + 1) {
    for (const p of list) push(p);
    return;
  }
  // Sparse case: distinct random indices; the expected number of redraws is small while n is under half of len.
  if (n * 2 < len) {
    const seen = new Set<number>();
    while (added < n) {
      const i = Math.floor(Math.random() * len);
      if (seen.has(i)) continue;
      seen.add(i);
      push(list[i]!);
    }
    return;
  }
  // Dense case: a partial Fisher-Yates shuffle of the indices.
  const idx = Array.from({ length: len }, (_, i) => i);
  for (let k = 0; k < len && added < n; k++) {
    const j = k + Math.floor(Math.random() * (len - k));
    [idx[k], idx[j]] = [idx[j]!, idx[k]!];
    push(list[idx[k]!]!);
  }
}
