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
