/**
 * A simulation of the lab's modes under the protocol's rules, fast enough for N = 10,000 in seconds. Pure: time is
 * a number, randomness comes from the seeded generator passed in.
 *
 * - cs: the server's uplink is shared equally by the clients downloading (TCP's fairness), each capped by its
 *   downlink; a client starts once its process is up.
 * - p2p and hybrid: pieces. Each host uploads through up to `slots` transfers at once, one piece each, sharing
 *   its uplink equally (a host with nothing useful to send idles: its uplink is not full). A free slot picks a receiver
 *   among its neighbours (the client policy, or the seed policy for the server) and a piece the receiver lacks and
 *   is not already getting (rarest first, or the piece the seed has sent least). Finished clients keep seeding.
 *   In hybrid the server is a peer and a web seed: while some piece has never been sent it also answers two
 *   requests per client at once (pieces no peer has yet), and it always sends the piece it has sent least.
 * - Start-up: each client's first request leaves `startupS(N)` after launch (Node's start on the lab's cores).
 * - Rates are payload rates: the configured rate × 1448/1514.
 */
import { SeedChoker, type SeedChoke } from './sim-seed.js';
import { EventHeap, Uplink } from './sim-structures.js';
import type { Mode } from './units.js';

export type SeedPolicy = 'receiver-rarest' | 'fewest-sent';
export type ClientPolicy = 'random' | 'least-complete';

export interface SimConfig {
  mode: Mode;
  clients: number;
  fileBytes: number;
  pieceBytes: number;
  serverUpBps: number;
  clientUpBps: number;
  clientDownBps: number;
  /** Upload slots of a peer (tandem's uploadSlots is 8). */
  slots: number;
  /** Most neighbours a client knows. */
  maxPeers: number;
  seedPolicy: SeedPolicy;
  clientPolicy: ClientPolicy;
  /** Seconds from launch to a client's first request, given N. */
  startupS: (clients: number, index: number) => number;
  /** The seed's choking and allowed-fast grants (p2p, hybrid); without it, the seed uploads to anyone. */
  seedChoke?: SeedChoke;
  /** CPU per MiB delivered (all the run's processes) and the cores they share: D is at least their quotient. */
  cpu?: { secondsPerMiB: number; cores: number };
  random: () => number;
}

export interface SimResult {
  finishSeconds: number[];
  dSeconds: number;
  /** Bytes the server sent, in copies of the file. */
  serverCopies: number;
  /** Payload bytes each uplink sent over what it could have sent in D. */
  serverUtil: number;
  clientUtil: number;
}

export const PAYLOAD_EFFICIENCY = 1448 / 1514;
/** The most clients a measured lab runs (`tandem lab --clients`), all on one machine. */
export const MAX_LAB_CLIENTS = 64;

/** The lab machine's start-up: 0.45 s for one process, 0.13 s more for each other one on its 2 cores, up to 16. */
export function labStartup(clients: number): number {
  return 0.45 + 0.13 * (Math.min(clients, 16) - 1);
}

/** Client-server as a fluid: equal shares of the server's uplink, each capped by the client's downlink. */
export function simulateClientServer(c: SimConfig): SimResult {
  const us = (c.serverUpBps * PAYLOAD_EFFICIENCY) / 8;
  const down = (c.clientDownBps * PAYLOAD_EFFICIENCY) / 8;
  const starts = Array.from({ length: c.clients }, (_, i) => c.startupS(c.clients, i));
  const order = starts.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const left = new Float64Array(c.clients).fill(c.fileBytes);
  const finish = new Array<number>(c.clients).fill(NaN);
  const active: number[] = [];
  let t = 0;
  let next = 0;
  for (let guard = 0; guard < 4 * c.clients + 4 && (next < order.length || active.length); guard++) {
    const rate = active.length ? Math.min(down, us / active.length) : 0;
    let minLeft = Infinity;
    for (const i of active) minLeft = Math.min(minLeft, left[i]!);
    const tFinish = active.length ? t + minLeft / rate : Infinity;
    const tStart = next < order.length ? order[next]![0] : Infinity;
    const tNext = Math.min(tFinish, tStart);
    for (const i of active) left[i] = left[i]! - rate * (tNext - t);
    t = tNext;
    for (let k = active.length - 1; k >= 0; k--) {
      if (left[active[k]!]! <= 1e-6 * c.fileBytes) {
        finish[active[k]!] = t;
        active.splice(k, 1);
      }
    }
    while (next < order.length && order[next]![0] <= t) active.push(order[next++]![1]);
  }
  const d = Math.max(...finish);
  return { finishSeconds: finish, dSeconds: d, serverCopies: c.clients, serverUtil: (c.clients * c.fileBytes) / (us * d), clientUtil: 0 };
}

/** The swarm's state: who has which piece, who is getting which, who knows whom. */
export interface Swarm {
  c: SimConfig;
  pieces: number;
  pieceBytes: number;
  /** have[h * pieces + p]: 1 once host h holds piece p; host 0 is the server. */
  have: Uint8Array;
  /** Piece p is on its way to host h. */
  coming: Uint8Array;
  haveCount: Int32Array;
  /** Copies of each piece among the clients (what rarest-first counts). */
  copies: Int32Array;
  sentByServer: Int32Array;
  joined: Uint8Array;
  neighbours: Int32Array[];
  incoming: Int32Array;
  maxIncoming: number;
  /** The clients the seed unchokes (all when undefined), as flags and as a list. */
  seedUnchoked?: Uint8Array;
  seedUnchokedList?: number[];
}

/** An empty swarm of `n` clients and a server holding every piece. */
export function newSwarm(c: SimConfig, pieceBytes = c.pieceBytes): Swarm {
  const n = c.clients;
  const P = Math.ceil(c.fileBytes / pieceBytes);
  const s: Swarm = {
    c,
    pieces: P,
    pieceBytes,
    have: new Uint8Array((n + 1) * P),
    coming: new Uint8Array((n + 1) * P),
    haveCount: new Int32Array(n + 1),
    copies: new Int32Array(P),
    sentByServer: new Int32Array(P),
    joined: new Uint8Array(n + 1),
    neighbours: neighbourSets(n, c.maxPeers, c.random),
    incoming: new Int32Array(n + 1),
    maxIncoming: Number.isFinite(c.clientDownBps) ? Math.max(1, Math.floor(c.clientDownBps / (c.clientUpBps / c.slots))) : Infinity,
  };
  s.have.fill(1, 0, P);
  s.haveCount[0] = P;
  s.joined[0] = 1;
  return s;
}

function pieceSize(s: Swarm, p: number): number {
  return p === s.pieces - 1 ? s.c.fileBytes - p * s.pieceBytes : s.pieceBytes;
}

/**
 * The piece `from` should send `to`: one `to` lacks and is not getting, by the sender's policy (rarest among the
 * clients first; a fewest-sent seed sends the piece it has sent least, so every piece once before any twice).
 * Ties go to a random piece. -1 when `from` has nothing `to` needs.
 */
export function choosePiece(s: Swarm, from: number, to: number): number {
  const P = s.pieces;
  const fewestSent = from === 0 && s.c.seedPolicy === 'fewest-sent';
  let best = -1;
  let bestKey = Infinity;
  const start = Math.floor(s.c.random() * P);
  for (let k = 0; k < P; k++) {
    const p = (start + k) % P;
    if (!s.have[from * P + p] || s.have[to * P + p] || s.coming[to * P + p]) continue;
    const key = fewestSent ? s.sentByServer[p]! : s.copies[p]!;
    if (key < bestKey) {
      bestKey = key;
      best = p;
    }
  }
  return best;
}

/** Whether `to` could take a piece from `from` now: joined, unfinished, room for one more, not choked by the seed. */
function open(s: Swarm, to: number, from: number): boolean {
  if (from === 0 && s.seedUnchoked && !s.seedUnchoked[to]) return false;
  return s.joined[to] === 1 && s.haveCount[to] !== s.pieces && s.incoming[to]! < s.maxIncoming;
}

/**
 * A receiver and piece for a free slot of `from`: among up to 12 neighbours drawn at random, the first (`random`)
 * or the one with fewest pieces (`least-complete`) that needs one of its pieces; when none of those does, every
 * neighbour is tried in turn from a random one, so an idle uplink means nobody it knows needs anything it has.
 * [-1, -1] when none.
 */
export function chooseTransfer(s: Swarm, from: number): [to: number, piece: number] {
  const nb = from === 0 && s.seedUnchokedList ? s.seedUnchokedList : s.neighbours[from]!;
  const tries = Math.min(nb.length, 12);
  const candidates: number[] = [];
  for (let k = 0; k < tries; k++) {
    const to = nb[nb.length <= 12 ? k : Math.floor(s.c.random() * nb.length)]!;
    if (open(s, to, from)) candidates.push(to);
  }
  if (s.c.clientPolicy === 'least-complete') candidates.sort((a, b) => s.haveCount[a]! - s.haveCount[b]!);
  else for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(s.c.random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  for (const to of candidates) {
    const p = choosePiece(s, from, to);
    if (p >= 0) return [to, p];
  }
  const start = Math.floor(s.c.random() * nb.length);
  for (let k = 0; k < nb.length; k++) {
    const to = nb[(start + k) % nb.length]!;
    if (!open(s, to, from)) continue;
    const p = choosePiece(s, from, to);
    if (p >= 0) return [to, p];
  }
  return [-1, -1];
}

/** Who knows whom: everyone knows the server; clients know up to maxPeers others, at random, both ways. */
function neighbourSets(n: number, maxPeers: number, random: () => number): Int32Array[] {
  const sets: Set<number>[] = Array.from({ length: n + 1 }, () => new Set<number>());
  for (let i = 1; i <= n; i++) {
    sets[0]!.add(i);
    sets[i]!.add(0);
  }
  if (n - 1 <= maxPeers) {
    for (let i = 1; i <= n; i++) for (let j = 1; j <= n; j++) if (i !== j) sets[i]!.add(j);
  } else {
    for (let i = 1; i <= n; i++) {
      for (let k = 0; k < maxPeers * 4 && sets[i]!.size < maxPeers / 2 + 1; k++) {
        const j = 1 + Math.floor(random() * n);
        if (j !== i && sets[j]!.size < maxPeers + 1) {
          sets[i]!.add(j);
          sets[j]!.add(i);
        }
      }
    }
  }
  return sets.map((set) => Int32Array.from(set));
}

/** The simulation's pieces: the torrent's, or coarser when N × pieces would make it slow (N in the thousands). */
export function simPieceBytes(c: SimConfig, maxCells = 2_000_000): number {
  let b = c.pieceBytes;
  while (Math.max(1, c.clients) * Math.ceil(c.fileBytes / b) > maxCells && b < c.fileBytes) b *= 2;
  return b;
}

/** The piece-level swarm of p2p and hybrid, every uplink shared by its transfers. */
export function simulateSwarm(c: SimConfig): SimResult {
  const n = c.clients;
  const s = newSwarm(c, simPieceBytes(c));
  const P = s.pieces;
  const hybrid = c.mode === 'hybrid';
  const links = Array.from({ length: n + 1 }, (_, h) => new Uplink(((h === 0 ? c.serverUpBps : c.clientUpBps) * PAYLOAD_EFFICIENCY) / 8, c.slots));
  // In hybrid the server is also a web seed, asked for pieces no peer has: while some piece has never been sent,
  // it takes two requests from each client at once (webseed-max-requests) besides its peer's upload slots.
  let unsent = P;
  const slotsOf = (h: number): number => (h === 0 && hybrid && unsent > 0 ? c.slots + 2 * n : links[h]!.slots);
  const sent = new Float64Array(n + 1);
  const finish = new Array<number>(n).fill(NaN);
  const heap = new EventHeap();
  // Heap values: -(i + 1) is client i + 1 joining, -(n + 1) the seed's choke round; h * 2^22 + version is host h's
  // next transfer end.
  const VERSION = 2 ** 22;
  const ROUND = -(n + 1);
  for (let i = 0; i < n; i++) heap.push(c.startupS(n, i), -(i + 1));
  const choker = c.seedChoke ? new SeedChoker(n, P, c.seedChoke, c.random) : undefined;
  if (choker) {
    s.seedUnchoked = choker.unchoked;
    s.seedUnchokedList = choker.unchokedList;
    heap.push(choker.cfg.roundS, ROUND);
  }
  const schedule = (h: number): void => {
    const l = links[h]!;
    l.version = (l.version + 1) % VERSION;
    const t = l.nextEnd();
    if (t < Infinity) heap.push(t, h * VERSION + l.version);
  };
  const fill = (from: number, now: number): void => {
    const l = links[from]!;
    let added = false;
    for (let guard = 0; l.active.length < slotsOf(from) && guard < 4 * n + 16; guard++) {
      const [to, p] = chooseTransfer(s, from);
      if (to < 0) break;
      s.coming[to * P + p] = 1;
      s.incoming[to]!++;
      if (from === 0 && s.sentByServer[p]!++ === 0) unsent--;
      l.add(now, to, p, pieceSize(s, p));
      added = true;
    }
    // Clients with a grant ask the seed for their allowed-fast pieces first, served besides its other uploads.
    for (const to of from === 0 && choker ? choker.grantees : []) {
      const p = choker!.fastPiece(to, (q) => !s.have[to * P + q] && !s.coming[to * P + q]);
      if (p < 0 || !s.joined[to]) continue;
      choker!.fastInFlight[to] = p + 1;
      s.coming[to * P + p] = 1;
      s.incoming[to]!++;
      if (s.sentByServer[p]!++ === 0) unsent--;
      l.add(now, to, p, pieceSize(s, p));
      added = true;
    }
    if (added) schedule(from);
  };
  let done = 0;
  for (let guard = 0; heap.size && done < n && guard < 40 * (n + 1) * P + 10 * n; guard++) {
    const [now, value] = heap.pop();
    if (value === ROUND) {
      choker!.round();
      fill(0, now);
      heap.push(now + choker!.cfg.roundS, ROUND);
      continue;
    }
    if (value < 0) {
      const to = -value;
      s.joined[to] = 1;
      choker?.join(to);
      for (const h of s.neighbours[to]!) if (s.haveCount[h]! > 0 && links[h]!.active.length < slotsOf(h)) fill(h, now);
      continue;
    }
    const from = Math.floor(value / VERSION);
    const l = links[from]!;
    if (value % VERSION !== l.version) continue;
    l.advance(now);
    const ended: { to: number; piece: number }[] = [];
    while (l.active.length && l.active[0]!.target <= l.v + 1e-6) ended.push(l.active.shift()!);
    for (const { to, piece: p } of ended) {
      s.coming[to * P + p] = 0;
      s.incoming[to]!--;
      sent[from] = sent[from]! + pieceSize(s, p);
      if (from === 0 && choker?.fastInFlight[to] === p + 1) choker.fastInFlight[to] = 0;
      if (s.have[to * P + p]) continue;
      s.have[to * P + p] = 1;
      s.haveCount[to]!++;
      s.copies[p]!++;
      if (s.haveCount[to] === P) {
        finish[to - 1] = now;
        done++;
        choker?.finish(to);
      }
    }
    schedule(from);
    fill(from, now);
    if (choker && from !== 0) fill(0, now);
    for (const { to } of ended) {
      fill(to, now);
      if (Number.isFinite(s.maxIncoming)) for (const h of s.neighbours[to]!) if (links[h]!.active.length < slotsOf(h)) fill(h, now);
    }
  }
  const d = Math.max(...finish);
  const clientSent = sent.slice(1).reduce((a, x) => a + x, 0);
  return {
    finishSeconds: finish,
    dSeconds: d,
    serverCopies: sent[0]! / c.fileBytes,
    serverUtil: sent[0]! / (links[0]!.bytesPerS * d),
    clientUtil: n ? clientSent / (((c.clientUpBps * PAYLOAD_EFFICIENCY) / 8) * n * d) : 0,
  };
}

/**
 * The CPU floor: the run's processes need `secondsPerMiB` for each MiB delivered and share `cores`, so D is at least
 * N × F × secondsPerMiB / cores; a run below it is stretched to it (every finish in proportion). Only while all the
 * clients fit on the lab's machine: beyond, each client is taken to have a machine of its own.
 */
export function withCpuFloor(c: SimConfig, r: SimResult): SimResult {
  if (!c.cpu || c.clients > MAX_LAB_CLIENTS) return r;
  const floor = (c.clients * c.fileBytes * c.cpu.secondsPerMiB) / 1048576 / c.cpu.cores;
  if (floor <= r.dSeconds) return r;
  const k = floor / r.dSeconds;
  return { ...r, finishSeconds: r.finishSeconds.map((f) => f * k), dSeconds: floor, serverUtil: r.serverUtil / k, clientUtil: r.clientUtil / k };
}

export function simulate(c: SimConfig): SimResult {
  return withCpuFloor(c, c.mode === 'cs' ? simulateClientServer(c) : simulateSwarm(c));
}
