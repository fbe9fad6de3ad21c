/**
 * A simulation of the lab's modes under the protocol's rules, fast enough for N = 10,000 in seconds. Pure: time is
 * a number, randomness comes from the seeded generator passed in.
 *
 * - cs: the server's uplink is shared equally by the clients downloading (TCP's fairness), each capped by its
 *   downlink; a client starts once its process is up.
 * - p2p and hybrid: pieces. Each host uploads through `slots` slots, each carrying one piece at a time at
 *   uplink / slots (a slot with nothing useful to send idles: the uplink is not full). A free slot picks a receiver
 *   among its neighbours (the client policy, or the seed policy for the server) and a piece the receiver lacks and
 *   is not already getting (rarest first, or the piece the seed has sent least). Finished clients keep seeding.
 *   In hybrid the server is the web seed: it has a slot for every client (HTTP serves every request at once) and
 *   sends only pieces no other source can, the least-sent first.
 * - Start-up: each client's first request leaves `startupS(N)` after launch (Node's start on the lab's cores).
 * - Rates are payload rates: the configured rate × 1448/1514.
 */
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

/** A binary heap of slot completions, earliest first. */
class EventHeap {
  private t: number[] = [];
  private v: number[] = [];
  get size(): number {
    return this.t.length;
  }
  push(time: number, value: number): void {
    const t = this.t;
    const v = this.v;
    let i = t.length;
    t.push(time);
    v.push(value);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      t[i] = t[p]!;
      v[i] = v[p]!;
      i = p;
    }
    t[i] = time;
    v[i] = value;
  }
  pop(): [number, number] {
    const t = this.t;
    const v = this.v;
    const top: [number, number] = [t[0]!, v[0]!];
    const lt = t.pop()!;
    const lv = v.pop()!;
    if (t.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= t.length) break;
        const r = l + 1;
        const m = r < t.length && t[r]! < t[l]! ? r : l;
        if (t[m]! >= lt) break;
        t[i] = t[m]!;
        v[i] = v[m]!;
        i = m;
      }
      t[i] = lt;
      v[i] = lv;
    }
    return top;
  }
}

/** The swarm's state: who has which piece, who is getting which, who knows whom. */
interface Swarm {
  c: SimConfig;
  pieces: number;
  /** have[h * pieces + p]: 1 once host h holds piece p; host 0 is the server. */
  have: Uint8Array;
  /** Piece p is on its way to host h. */
  coming: Uint8Array;
  haveCount: Int32Array;
  copies: Int32Array;
  sentByServer: Int32Array;
  joined: Uint8Array;
  neighbours: Int32Array[];
  freeSlots: Int32Array;
  incoming: Int32Array;
  maxIncoming: number;
}

function pieceSize(s: Swarm, p: number): number {
  return p === s.pieces - 1 ? s.c.fileBytes - p * s.c.pieceBytes : s.c.pieceBytes;
}

/** The piece `from` should send `to`: one `to` lacks and is not getting, by the sender's policy. -1 when none. */
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

/** A receiver for a free slot of `from`: a joined, incomplete neighbour with room, by the client policy. */
function chooseReceiver(s: Swarm, from: number): number {
  const nb = s.neighbours[from]!;
  const tries = Math.min(nb.length, 12);
  let best = -1;
  let bestKey = Infinity;
  for (let k = 0; k < tries; k++) {
    const to = nb[Math.floor(s.c.random() * nb.length)]!;
    if (!s.joined[to] || s.haveCount[to] === s.pieces || s.incoming[to]! >= s.maxIncoming) continue;
    const key = s.c.clientPolicy === 'least-complete' ? s.haveCount[to]! : s.c.random();
    if (key < bestKey && choosePiece(s, from, to) >= 0) {
      bestKey = key;
      best = to;
    }
  }
  return best;
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
  return sets.map((s) => Int32Array.from(s));
}

/** The piece-level swarm of p2p and hybrid. */
export function simulateSwarm(c: SimConfig): SimResult {
  const n = c.clients;
  const P = Math.ceil(c.fileBytes / c.pieceBytes);
  const hybrid = c.mode === 'hybrid';
  const slotRate = (h: number): number => ((h === 0 ? c.serverUpBps : c.clientUpBps) * PAYLOAD_EFFICIENCY) / 8 / (h === 0 && hybrid ? Math.max(1, n) : c.slots);
  const serverSlots = hybrid ? Math.max(1, n) : c.slots;
  const s: Swarm = {
    c,
    pieces: P,
    have: new Uint8Array((n + 1) * P),
    coming: new Uint8Array((n + 1) * P),
    haveCount: new Int32Array(n + 1),
    copies: new Int32Array(P),
    sentByServer: new Int32Array(P),
    joined: new Uint8Array(n + 1),
    neighbours: neighbourSets(n, c.maxPeers, c.random),
    freeSlots: new Int32Array(n + 1).fill(c.slots),
    incoming: new Int32Array(n + 1),
    maxIncoming: Number.isFinite(c.clientDownBps) ? Math.max(1, Math.floor(c.clientDownBps / (c.clientUpBps / c.slots))) : Infinity,
  };
  s.have.fill(1, 0, P);
  s.haveCount[0] = P;
  s.joined[0] = 1;
  s.freeSlots[0] = serverSlots;
  const sent = new Float64Array(n + 1);
  const finish = new Array<number>(n).fill(NaN);
  // Event values: a transfer is from * 2^21 + to... encoded as an index into these arrays instead.
  const tFrom: number[] = [];
  const tTo: number[] = [];
  const tPiece: number[] = [];
  const heap = new EventHeap();
  const JOIN = -1;
  const joins = Array.from({ length: n }, (_, i) => c.startupS(n, i));
  joins.forEach((t, i) => {
    tFrom.push(JOIN);
    tTo.push(i + 1);
    tPiece.push(-1);
    heap.push(t, tFrom.length - 1);
  });
  const fill = (from: number, now: number): void => {
    for (let guard = 0; s.freeSlots[from]! > 0 && guard < 64; guard++) {
      const to = chooseReceiver(s, from);
      if (to < 0) return;
      const p = choosePiece(s, from, to);
      s.coming[to * P + p] = 1;
      s.incoming[to]!++;
      s.freeSlots[from]!--;
      if (from === 0) s.sentByServer[p]!++;
      tFrom.push(from);
      tTo.push(to);
      tPiece.push(p);
      heap.push(now + pieceSize(s, p) / slotRate(from), tFrom.length - 1);
    }
  };
  let done = 0;
  let now = 0;
  for (let guard = 0; heap.size && done < n && guard < 50 * n * P + 10 * n; guard++) {
    const [t, e] = heap.pop();
    now = t;
    const from = tFrom[e]!;
    const to = tTo[e]!;
    if (from === JOIN) {
      s.joined[to] = 1;
      for (const h of s.neighbours[to]!) if (s.freeSlots[h]! > 0 && s.haveCount[h]! > 0) fill(h, now);
      continue;
    }
    const p = tPiece[e]!;
    s.coming[to * P + p] = 0;
    s.incoming[to]!--;
    s.freeSlots[from]!++;
    sent[from] = sent[from]! + pieceSize(s, p);
    if (!s.have[to * P + p]) {
      s.have[to * P + p] = 1;
      s.haveCount[to]!++;
      s.copies[p]!++;
      if (s.haveCount[to] === P) {
        finish[to - 1] = now;
        done++;
      }
    }
    fill(to, now);
    fill(from, now);
    if (Number.isFinite(s.maxIncoming)) for (const h of s.neighbours[to]!) if (s.freeSlots[h]! > 0) fill(h, now);
  }
  const d = Math.max(...finish);
  const clientSent = sent.slice(1).reduce((a, x) => a + x, 0);
  return {
    finishSeconds: finish,
    dSeconds: d,
    serverCopies: sent[0]! / c.fileBytes,
    serverUtil: sent[0]! / (((c.serverUpBps * PAYLOAD_EFFICIENCY) / 8) * d),
    clientUtil: n ? clientSent / (((c.clientUpBps * PAYLOAD_EFFICIENCY) / 8) * n * d) : 0,
  };
}

export function simulate(c: SimConfig): SimResult {
  return c.mode === 'cs' ? simulateClientServer(c) : simulateSwarm(c);
}
