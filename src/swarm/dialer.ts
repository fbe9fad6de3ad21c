import { connect, isIP, type Socket } from 'node:net';
import { dialsEncrypted, fallsBackToPlaintext, MseInitiator, provideFor, runHandshake } from '../mse/index.js';
import { encodeHandshake, type PeerAddress } from '../wire/index.js';
import { addressKey, normaliseHost } from './address.js';
import { PeerConnection, ReadBuffer } from './connection.js';
import type { SwarmContext } from './swarm-context.js';

interface KnownPeer {
  address: PeerAddress;
  attempts: number;
  nextTryMs: number;
}

// Addresses remembered per torrent; trackers, the DHT and PEX may offer far more than a swarm ever needs.
const MAX_KNOWN_PEERS = 2000;

/**
 * The outgoing side of a torrent's connections: the addresses it has heard of, which of them to dial next (within
 * the caps on peers and on dials in flight), the dials themselves with a timeout, and a growing delay before an
 * address that failed or dropped is tried again. Under the `prefer` and `require` encryption policies a dial opens
 * with an MSE handshake (our BitTorrent handshake rides in its IA); `prefer` redials in plaintext once if that
 * fails. A connected socket is handed to `adopt` as a `PeerConnection`.
 */
export class Dialer {
  private readonly known = new Map<string, KnownPeer>();
  private connecting = 0;
  private readonly dialing = new Set<Socket>();

  constructor(
    private readonly torrent: SwarmContext,
    private readonly adopt: (conn: PeerConnection, key: string, address: PeerAddress) => void,
  ) {}

  /** Remembers new, valid, unbanned addresses and dials some. */
  add(addresses: PeerAddress[]): void {
    const t = this.torrent;
    for (const address of addresses) {
      const key = addressKey(address);
      if (this.known.has(key) || t.banned.has(key) || this.known.size >= MAX_KNOWN_PEERS) continue;
      if (address.port < 1 || address.port > 65535 || !isIP(normaliseHost(address.host))) continue;
      this.known.set(key, { address: { host: normaliseHost(address.host), port: address.port }, attempts: 0, nextTryMs: 0 });
    }
    this.connectMore();
  }

  /** Dials known addresses that are due, while there is room under `maxConnecting` and `maxPeers`. */
  connectMore(): void {
    const t = this.torrent;
    if (t.state === 'stopped') return;
    const now = Date.now();
    for (const [key, k] of this.known) {
      if (this.connecting >= t.config.maxConnecting || t.peers.size + this.connecting >= t.config.maxPeers) return;
      if (t.peers.has(key) || t.banned.has(key) || k.nextTryMs > now || k.attempts > t.config.maxReconnects) continue;
      k.attempts++;
      k.nextTryMs = Number.POSITIVE_INFINITY; // until this attempt ends
      this.dial(key, k);
    }
  }

  /** A peer at this address went away: it may be dialled again after a delay that grows with each attempt. */
  peerGone(key: string): void {
    const k = this.known.get(key);
    if (k) k.nextTryMs = Date.now() + this.torrent.config.reconnectDelayMs * k.attempts;
  }

  /** Abandons every dial in flight. */
  stop(): void {
    for (const s of this.dialing) s.destroy();
  }

  private dial(key: string, k: KnownPeer, encrypted = dialsEncrypted(this.torrent.config.encryption)): void {
    const t = this.torrent;
    this.connecting++;
    const reader = new ReadBuffer();
    const socket = connect({ host: k.address.host, port: k.address.port, onread: reader.onread });
    this.dialing.add(socket);
    const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), t.config.connectTimeoutMs);
    let settled = false;
    // A dial counts against `maxConnecting` until its connection is adopted (or fails), MSE handshake included.
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.dialing.delete(socket);
      this.connecting--;
    };
    socket.once('error', () => {
      settle();
      this.peerGone(key);
    });
    // `stop()` destroys a dial without an error, which emits only 'close': the timeout must go with it, or a
    // finished command waits out connectTimeoutMs before it can exit.
    socket.once('close', settle);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (t.state === 'stopped') {
        settle();
        return void socket.destroy();
      }
      const options = { pieceCount: t.meta?.pieceCount, handshakeTimeoutMs: t.config.handshakeTimeoutMs, reader };
      if (!encrypted) {
        settle();
        return this.adopt(new PeerConnection(socket, true, t.localHandshake(), options), key, k.address);
      }
      this.encrypt(socket, reader, key, k, settle);
    });
  }

  /** Opens a dialled socket with an MSE handshake, then adopts it; `prefer` redials in plaintext if that fails. */
  private encrypt(socket: Socket, reader: ReadBuffer, key: string, k: KnownPeer, settle: () => void): void {
    const t = this.torrent;
    const local = t.localHandshake();
    // Our BitTorrent handshake rides in IA (MSE step 3), so encryption costs no extra round trip.
    const initiator = new MseInitiator({ infoHash: t.infoHash, provide: provideFor(t.config.encryption), initialPayload: encodeHandshake(local) });
    runHandshake(socket, initiator, { source: reader, timeoutMs: t.config.handshakeTimeoutMs, first: initiator.start() }).then(
      (done) => {
        settle();
        if (t.state === 'stopped') return void socket.destroy();
        const options = { pieceCount: t.meta?.pieceCount, handshakeTimeoutMs: t.config.handshakeTimeoutMs, reader, handshakeSent: true, leftover: done.payload, cipher: done.cipher };
        this.adopt(new PeerConnection(socket, true, local, options), key, k.address);
      },
      (err: Error) => {
        settle();
        socket.destroy();
        if (t.state === 'stopped') return;
        if (fallsBackToPlaintext(t.config.encryption)) {
          t.warn(`peer ${key}: ${err.message}; retrying without encryption`);
          return this.dial(key, k, false);
        }
        t.warn(`peer ${key}: ${err.message} (encryption is required: no plaintext retry)`);
        this.peerGone(key);
      },
    );
  }
}
