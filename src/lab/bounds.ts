/**
 * The lower bounds on distribution time of Kurose and Ross, "Computer Networking", §2.5. F is the file's size in
 * bits, rates are bits per second, times seconds. A download rate of Infinity means the clients' downlinks never
 * limit.
 */
export interface BoundInput {
  fileBits: number;
  clients: number;
  serverUpBps: number;
  /** Each client's upload rate; the sum is what matters. */
  clientUpBps: number[];
  /** The slowest client's download rate. */
  minDownBps: number;
}

/** Client-server: the server sends N copies, and the slowest client must receive one: max(N·F/u_s, F/d_min). */
export function boundClientServer(b: BoundInput): number {
  return Math.max((b.clients * b.fileBits) / b.serverUpBps, b.fileBits / b.minDownBps);
}

/**
 * Peer-to-peer: the server sends at least one copy, the slowest client receives one, and all N copies leave some
 * uplink: max(F/u_s, F/d_min, N·F/(u_s + Σu_i)).
 */
export function boundPeerToPeer(b: BoundInput): number {
  const sumUp = b.clientUpBps.reduce((a, x) => a + x, 0);
  return Math.max(b.fileBits / b.serverUpBps, b.fileBits / b.minDownBps, (b.clients * b.fileBits) / (b.serverUpBps + sumUp));
}

/** The same clients, each with the same rates: the lab's case. */
export function uniformBounds(fileBytes: number, clients: number, serverUpBps: number, clientUpBps: number, clientDownBps = Infinity): { cs: number; p2p: number } {
  // N need not be whole here: a plot draws the bounds as curves through fractional N.
  const input: BoundInput = { fileBits: fileBytes * 8, clients, serverUpBps, clientUpBps: [clients * clientUpBps], minDownBps: clientDownBps };
  return { cs: boundClientServer(input), p2p: boundPeerToPeer(input) };
}

/** What `startupFloor` needs beside the bounds' inputs: when each client was up, and the piece size. */
export interface FloorInput extends BoundInput {
  /** Seconds from launch until each client was ready (its process up, the torrent read); one per client. */
  readySeconds: number[];
  /** Bits of one piece: a BitTorrent client forwards only whole verified pieces. */
  pieceBits: number;
  /** Whether the clients upload to each other (p2p, hybrid) or only download (cs). */
  swarm: boolean;
  /** Payload bits per bit on the wire (1448/1514 with full Ethernet frames and TCP timestamps). */
  payloadPerWireBit: number;
}

/**
 * A floor under D for hosts that start late, on links whose frames carry headers: not the bound of the theory, but
 * what the theory gives once a real run's start-up and its frames' headers are put in. It is still a lower bound:
 * - every link carries payload at its rate × `payloadPerWireBit` at most (u' below);
 * - the server sends nothing before the first client is ready (r_min), and client i uploads nothing before it is
 *   ready and holds a whole piece, which takes at least one piece at the server's payload rate (τ);
 * so a swarm delivers N·F ≤ u_s'(D − r_min) + Σ u_i'·max(0, D − r_i − τ), client-server N·F ≤ u_s'(D − r_min); and
 * the server sends every bit once (D ≥ r_min + F/u_s'), the last client to start receives F (D ≥ r_max + F/d').
 * NaN when a client's ready time is unknown (the reference programs print none).
 */
export function startupFloor(f: FloorInput): number {
  const ready = f.readySeconds;
  if (ready.length !== f.clients || ready.some((r) => !Number.isFinite(r))) return NaN;
  const k = f.payloadPerWireBit;
  const us = f.serverUpBps * k;
  const first = Math.min(...ready);
  const floor = Math.max(first + f.fileBits / us, Math.max(...ready) + f.fileBits / (f.minDownBps * k));
  const need = f.clients * f.fileBits;
  if (!f.swarm) return Math.max(floor, first + need / us);
  const tau = f.pieceBits / us;
  // Each uplink joins at its start; the delivered bits grow piecewise linearly, so walk the starts in order.
  const joins = [{ at: first, rate: us }, ...ready.map((r, i) => ({ at: r + tau, rate: (f.clientUpBps[i] ?? 0) * k }))].sort((a, b) => a.at - b.at);
  let delivered = 0;
  let rate = 0;
  let t = joins[0]!.at;
  for (let i = 0; i < joins.length; i++) {
    rate += joins[i]!.rate;
    const next = i + 1 < joins.length ? joins[i + 1]!.at : Infinity;
    if (rate > 0 && delivered + rate * (next - t) >= need) return Math.max(floor, t + (need - delivered) / rate);
    delivered += rate * (next - t);
    t = next;
  }
  return Infinity;
}
