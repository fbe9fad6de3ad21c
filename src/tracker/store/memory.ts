// The in-memory swarm store. Sized for a million peers in well under 300 MB: a peer is one small object of small
// integers (an IPv4 address is one int32) kept in an array (for O(1) random sampling and swap-removal) and a map
// keyed by peer id (for updates). Answers are written straight into one compact buffer, with no object per peer.
import { TrackerError } from '../errors.js';
import type { StoreAnnounce, StoreAnnounceResult, StoreLimits, StoreScrape, StoreStats, SwarmStore } from './store.js';

interface Peer {
  /** The map key (peer id as latin1, then the family digit): the same string as the map holds, no copy. */
  key: string;
  /** IPv4: the address as an int32 (a small integer to V8, stored unboxed); 0 for IPv6 peers. */
  ip: number;
  port: number;
  /** IPv6: the 16 address bytes as latin1; '' for IPv4 peers (one shape for both keeps the code monomorphic). */
  a6: string;
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
      if (a.event === 'stopped') return { complete: 0, incomplete: 0, downloaded: 0, peers4: EMPTY, peers6: EMPTY };
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
      setAddress(self, a.addr);
      self.lastS = Math.floor(a.nowMs / 1000);
    } else if (t.byKey.size < this.limits.maxPeersPerTorrent && this.peersTotal < this.limits.maxPeersTotal) {
      const list = v6 ? t.v6 : t.v4;
      self = { key, ip: 0, port: 0, a6: '', seeder: a.seeder, lastS: Math.floor(a.nowMs / 1000), idx: list.length };
      setAddress(self, a.addr);
      list.push(self);
      t.byKey.set(key, self);
      this.peersTotal++;
      if (a.seeder) this.countSeeder(t, 1);
    }
    const picked4: Peer[] = [];
    const picked6: Peer[] = [];
    if (a.event !== 'stopped' && a.numwant > 0) {
      if (a.families !== 'v6') sample(t.v4, a.numwant, self, picked4);
      if (a.families !== 'v4') sample(t.v6, a.numwant - picked4.length, self, picked6);
    }
    const result: StoreAnnounceResult = { complete: t.seeders, incomplete: t.byKey.size - t.seeders, downloaded: t.downloaded, peers4: compact(picked4, 6), peers6: compact(picked6, 18) };
    if (a.withPeerIds) {
      result.ids4 = picked4.map(idOf);
      result.ids6 = picked6.map(idOf);
    }
    if (t.byKey.size === 0 && t.downloaded === 0) this.torrents.delete(ih);
    return result;
  }

  private countSeeder(t: Torrent, delta: number): void {
    t.seeders += delta;
    this.seedersTotal += delta;
  }

  private remove(t: Torrent, key: string, p: Peer): void {
    const list = key.endsWith('6') ? t.v6 : t.v4;
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

/** Appends up to `n` distinct random peers of `list` other than `self` to `out`. */
function sample(list: Peer[], n: number, self: Peer | undefined, out: Peer[]): void {
  const len = list.length;
  if (n <= 0 || len === 0) return;
  const selfHere = self !== undefined && list[self.idx] === self;
  const goal = out.length + Math.min(n, selfHere ? len - 1 : len);
  if (len <= n + 1) {
    for (const p of list) if (p !== self && out.length < goal) out.push(p);
    return;
  }
  // Sparse case: distinct random indices; the expected number of redraws is small while n is under half of len.
  if (n * 2 < len) {
    const seen = new Set<number>();
    while (out.length < goal) {
      const i = Math.floor(Math.random() * len);
      if (seen.has(i)) continue;
      seen.add(i);
      if (list[i] !== self) out.push(list[i]!);
    }
    return;
  }
  // Dense case: a partial Fisher-Yates shuffle of the indices.
  const idx = Array.from({ length: len }, (_, i) => i);
  for (let k = 0; k < len && out.length < goal; k++) {
    const j = k + Math.floor(Math.random() * (len - k));
    [idx[k], idx[j]] = [idx[j]!, idx[k]!];
    if (list[idx[k]!] !== self) out.push(list[idx[k]!]!);
  }
}

/** The compact form of the picked peers (BEP 23: 4 address bytes then the port; BEP 7: 16 then the port). */
function compact(picked: Peer[], size: number): Buffer {
  if (picked.length === 0) return EMPTY;
  const b = Buffer.allocUnsafe(picked.length * size);
  for (let i = 0; i < picked.length; i++) {
    const p = picked[i]!;
    const at = i * size;
    if (size === 6) b.writeInt32BE(p.ip, at);
    else b.write(p.a6, at, 'latin1');
    b.writeUInt16BE(p.port, at + size - 2);
  }
  return b;
}

function setAddress(p: Peer, addr: Buffer): void {
  if (addr.length === 6) p.ip = addr.readInt32BE(0);
  else p.a6 = addr.toString('latin1', 0, 16);
  p.port = addr.readUInt16BE(addr.length - 2);
}

function idOf(p: Peer): Buffer {
  return Buffer.from(p.key.slice(0, 20), 'latin1');
}

const EMPTY = Buffer.alloc(0);
