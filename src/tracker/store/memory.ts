// The in-memory swarm store. Sized for a million peers in under 300 MB of process memory: a peer is one object of
// five fields, mostly small integers (an IPv4 address is one int32), kept in an array (for O(1) random sampling
// and swap-removal) and a map keyed by its flat peer-id string (for updates), one pair per address family.
// Answers are written straight into one compact buffer, with no object per returned peer.
import { TrackerError } from '../errors.js';
import type { StoreAnnounce, StoreAnnounceResult, StoreLimits, StoreScrape, StoreStats, SwarmStore } from './store.js';

interface Peer {
  /** The peer id as latin1: the same flat string the map holds as its key, no copy. */
  key: string;
  /** IPv4: the address as an int32 (a small integer to V8, stored in the field itself); IPv6: the 16 bytes as latin1. */
  addr: number | string;
  /** The port in the low 16 bits, bit 16 set for a seeder: one small integer instead of two fields. */
  ps: number;
  /** Seconds, so V8 keeps it a small integer rather than a boxed double. */
  lastS: number;
  /** Position in its family's array. */
  idx: number;
}

const SEEDER = 0x10000;

/** One family's peers of a torrent: an array for sampling, a map by peer id for updates. */
interface Family {
  list: Peer[];
  byId: Map<string, Peer>;
}

interface Torrent {
  v4: Family;
  /** Created on the first IPv6 announce: most torrents never see one. */
  v6: Family | undefined;
  seeders: number;
  downloaded: number;
}

function size(t: Torrent): number {
  return t.v4.byId.size + (t.v6?.byId.size ?? 0);
}

export class MemoryStore implements SwarmStore {
  private readonly torrents = new Map<string, Torrent>();
  private peersTotal = 0;
  private downloadedTotal = 0;
  private seedersTotal = 0;

  constructor(private readonly limits: StoreLimits) {}

  async announce(a: StoreAnnounce): Promise<StoreAnnounceResult> {
    return this.announceNow(a);
  }

  announceNow(a: StoreAnnounce): StoreAnnounceResult {
    const ih = a.infoHash.toString('latin1');
    let t = this.torrents.get(ih);
    if (!t) {
      if (a.event === 'stopped') return { complete: 0, incomplete: 0, downloaded: 0, peers4: EMPTY, peers6: EMPTY };
      if (this.torrents.size >= this.limits.maxTorrents) throw new TrackerError('TRACKER_FULL', 'tracker is tracking as many torrents as it may');
      t = { v4: { list: [], byId: new Map() }, v6: undefined, seeders: 0, downloaded: 0 };
      this.torrents.set(ih, t);
    }
    const fam: Family = a.addr.length === 18 ? (t.v6 ??= { list: [], byId: new Map<string, Peer>() }) : t.v4;
    const key = a.peerId.toString('latin1');
    let self = fam.byId.get(key);
    if (a.event === 'completed') {
      t.downloaded++;
      this.downloadedTotal++;
    }
    const ps = a.addr.readUInt16BE(a.addr.length - 2) | (a.seeder ? SEEDER : 0);
    if (a.event === 'stopped') {
      if (self) this.remove(t, fam, key, self);
      self = undefined;
    } else if (self) {
      if ((self.ps & SEEDER) !== (ps & SEEDER)) this.countSeeder(t, a.seeder ? 1 : -1);
      self.addr = addrOf(a.addr);
      self.ps = ps;
      self.lastS = Math.floor(a.nowMs / 1000);
    } else if (size(t) < this.limits.maxPeersPerTorrent && this.peersTotal < this.limits.maxPeersTotal) {
      self = { key, addr: addrOf(a.addr), ps, lastS: Math.floor(a.nowMs / 1000), idx: fam.list.length };
      fam.list.push(self);
      fam.byId.set(key, self);
      this.peersTotal++;
      if (a.seeder) this.countSeeder(t, 1);
    }
    const picked4: Peer[] = [];
    const picked6: Peer[] = [];
    if (a.event !== 'stopped' && a.numwant > 0) {
      if (a.families !== 'v6') sample(t.v4.list, a.numwant, self, picked4);
      if (a.families !== 'v4' && t.v6) sample(t.v6.list, a.numwant - picked4.length, self, picked6);
    }
    const n = size(t);
    const result: StoreAnnounceResult = { complete: t.seeders, incomplete: n - t.seeders, downloaded: t.downloaded, peers4: compact(picked4, 6), peers6: compact(picked6, 18) };
    if (a.withPeerIds) {
      result.ids4 = picked4.map(idOf);
      result.ids6 = picked6.map(idOf);
    }
    if (n === 0 && t.downloaded === 0) this.torrents.delete(ih);
    return result;
  }

  private countSeeder(t: Torrent, delta: number): void {
    t.seeders += delta;
    this.seedersTotal += delta;
  }

  private remove(t: Torrent, fam: Family, key: string, p: Peer): void {
    const last = fam.list.pop()!;
    if (last !== p) {
      fam.list[p.idx] = last;
      last.idx = p.idx;
    }
    fam.byId.delete(key);
    this.peersTotal--;
    if (p.ps & SEEDER) this.countSeeder(t, -1);
  }

  async scrape(infoHashes: Buffer[]): Promise<StoreScrape[]> {
    return infoHashes.map((h) => {
      const t = this.torrents.get(h.toString('latin1'));
      if (!t) return { complete: 0, incomplete: 0, downloaded: 0 };
      return { complete: t.seeders, incomplete: size(t) - t.seeders, downloaded: t.downloaded };
    });
  }

  async stats(): Promise<StoreStats> {
    return { torrents: this.torrents.size, seeders: this.seedersTotal, leechers: this.peersTotal - this.seedersTotal, downloaded: this.downloadedTotal };
  }

  async sweep(nowMs: number): Promise<number> {
    const oldestS = Math.floor((nowMs - this.limits.peerTtlMs) / 1000);
    let dropped = 0;
    for (const [ih, t] of this.torrents) {
      for (const fam of [t.v4, t.v6]) {
        if (!fam) continue;
        for (const [key, p] of fam.byId) {
          if (p.lastS < oldestS) {
            this.remove(t, fam, key, p);
            dropped++;
          }
        }
      }
      // A torrent nobody announces keeps only its completed count; forget it when it has no peers left.
      if (size(t) === 0) this.torrents.delete(ih);
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
  // An index is marked seen with this call's stamp in a reused array, never cleared: no Set per announce.
  if (n * 2 < len) {
    if (seenMarks.length < len) seenMarks = new Uint32Array(Math.max(len, seenMarks.length * 2));
    const stamp = nextStamp();
    while (out.length < goal) {
      const i = Math.floor(Math.random() * len);
      if (seenMarks[i] === stamp) continue;
      seenMarks[i] = stamp;
      if (list[i] !== self) out.push(list[i]!);
    }
    return;
  }
  // Dense case (len < 2n, so len is at most twice the numwant cap): a partial Fisher-Yates shuffle of the indices,
  // in a reused scratch array rather than a fresh one per announce.
  if (scratch.length < len) scratch = new Int32Array(Math.max(len, scratch.length * 2));
  for (let i = 0; i < len; i++) scratch[i] = i;
  for (let k = 0; k < len && out.length < goal; k++) {
    const j = k + Math.floor(Math.random() * (len - k));
    const pick = scratch[j]!;
    scratch[j] = scratch[k]!;
    scratch[k] = pick;
    if (list[pick] !== self) out.push(list[pick]!);
  }
}

let scratch = new Int32Array(512);
let seenMarks = new Uint32Array(512);
let stamp = 0;

/** A stamp no index of `seenMarks` holds: after 2^32 - 1 of them the marks are cleared and counting starts again. */
function nextStamp(): number {
  stamp = (stamp + 1) >>> 0;
  if (stamp === 0) {
    seenMarks.fill(0);
    stamp = 1;
  }
  return stamp;
}

/** The compact form of the picked peers (BEP 23: 4 address bytes then the port; BEP 7: 16 then the port). */
function compact(picked: Peer[], size: number): Buffer {
  if (picked.length === 0) return EMPTY;
  const b = Buffer.allocUnsafe(picked.length * size);
  // Bytes written one by one: Buffer's bounds-checked write methods cost more than the rest of an announce's answer.
  for (let i = 0; i < picked.length; i++) {
    const p = picked[i]!;
    const at = i * size;
    if (size === 6) {
      const a = p.addr as number;
      b[at] = a >>> 24;
      b[at + 1] = (a >>> 16) & 0xff;
      b[at + 2] = (a >>> 8) & 0xff;
      b[at + 3] = a & 0xff;
    } else b.write(p.addr as string, at, 'latin1');
    b[at + size - 2] = (p.ps >>> 8) & 0xff;
    b[at + size - 1] = p.ps & 0xff;
  }
  return b;
}

function addrOf(addr: Buffer): number | string {
  return addr.length === 6 ? addr.readInt32BE(0) : addr.toString('latin1', 0, 16);
}

function idOf(p: Peer): Buffer {
  return Buffer.from(p.key, 'latin1');
}

const EMPTY = Buffer.alloc(0);
