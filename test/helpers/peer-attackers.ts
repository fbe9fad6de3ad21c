import { connect, type Socket } from 'node:net';
import { encodeHandshake, encodeMessage } from '../../src/wire/index.js';
import { xorshift } from './rng.js';

/**
 * Hostile peers for the attack tests and the attack bench (issue 16), on loopback only. Each kind keeps `count`
 * connections alive to one seed, reconnecting as the seed drops them, until `stop()`:
 * - `idle`: completes the handshake (fast and extension bits set, like a real client) and then says nothing;
 * - `never-read`: handshakes, declares interest and pipelines block requests as fast as its socket takes them,
 *   but never reads a byte of what the seed sends;
 * - `garbage`: handshakes and sends random bytes, so the seed closes it at once; it reconnects at once.
 * Attackers bind to 127.0.0.2 and above (`firstHost` on), so the honest peer on 127.0.0.1 is a separate address.
 */
export type AttackKind = 'idle' | 'never-read' | 'garbage';

export interface AttackInit {
  kind: AttackKind;
  /** Connections kept alive at once. */
  count: number;
  port: number;
  infoHash: Buffer;
  pieceCount: number;
  pieceLengthBytes: number;
  /** How many loopback source addresses to spread the connections over (127.0.0.2 ...). */
  hosts?: number;
  seed?: number;
}

export interface Attack {
  /** Connections opened so far (a measure of churn). */
  readonly opened: number;
  stop(): void;
}

/** A request loop writes this many requests per batch, then waits for the socket to take them. */
const REQUESTS_PER_BATCH = 256;
/**
 * How soon a dropped connection is replaced: garbage peers churn as fast as they can (that is their attack), the
 * others come back a second later, as a client that lost a connection would.
 */
const RECONNECT_DELAY_MS: Record<AttackKind, number> = { idle: 1_000, 'never-read': 1_000, garbage: 20 };

export function startAttack(init: AttackInit): Attack {
  const next = xorshift(init.seed ?? 16);
  const random = (): number => next() / 2 ** 32;
  const sockets = new Set<Socket>();
  let stopped = false;
  let opened = 0;
  const hostCount = Math.max(1, init.hosts ?? 8);

  const open = (slot: number): void => {
    if (stopped) return;
    opened++;
    const localAddress = `127.0.0.${2 + (slot % hostCount)}`;
    const socket = connect({ host: '127.0.0.1', port: init.port, localAddress });
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      sockets.delete(socket);
      if (!stopped) setTimeout(() => open(slot), RECONNECT_DELAY_MS[init.kind]).unref();
    });
    socket.once('connect', () => {
      const peerId = Buffer.alloc(20);
      for (let i = 0; i < 20; i++) peerId[i] = Math.floor(random() * 256);
      socket.write(encodeHandshake({ infoHash: init.infoHash, peerId, extended: true, fast: true, dht: false }));
      if (init.kind === 'garbage') {
        const junk = Buffer.alloc(64);
        for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(random() * 256);
        junk.writeUInt32BE(60, 0); // a frame of 60 bytes with a random id: not a message the seed knows
        junk[4] = 100 + Math.floor(random() * 100);
        socket.write(junk);
        socket.resume();
      } else if (init.kind === 'idle') socket.resume();
      else neverRead(socket, init, random);
    });
  };

  for (let slot = 0; slot < init.count; slot++) open(slot);
  return {
    get opened() {
      return opened;
    },
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}

/** Interested, then requests without end, never reading: the socket is paused and stays paused. */
function neverRead(socket: Socket, init: AttackInit, random: () => number): void {
  socket.pause();
  socket.write(encodeMessage({ type: 'interested' }));
  const blocksPerPiece = Math.max(1, Math.floor(init.pieceLengthBytes / 16_384));
  const batch = (): void => {
    while (!socket.destroyed) {
      const out: Buffer[] = [];
      for (let i = 0; i < REQUESTS_PER_BATCH; i++) {
        const index = Math.floor(random() * init.pieceCount);
        const begin = Math.floor(random() * blocksPerPiece) * 16_384;
        const length = Math.min(16_384, init.pieceLengthBytes - begin);
        out.push(encodeMessage({ type: 'request', index, begin, length }));
      }
      // Bounded by the socket: once it stops taking bytes, the loop waits for 'drain'.
      if (!socket.write(Buffer.concat(out))) return void socket.once('drain', batch);
    }
  };
  batch();
}
