import { Bitfield, type ExtendedHandshake, type PeerAddress } from '../wire/index.js';
import type { PeerConnection } from './connection.js';
import type { PeerPieces } from './picker.js';
import { RateMeter } from './rate.js';
import type { BlockRequest } from './requests.js';

/**
 * What the torrent knows of one connected peer: the connection, the four BEP 3 flags, the peer's pieces, its
 * extensions, rates and queues. Plain state; the torrent's handlers change it.
 */
export class Peer {
  /** BEP 3: both sides start choked and not interested. */
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  /** The peer's pieces; undefined until its bitfield (or have-all/none) arrives. */
  pieces?: PeerPieces;
  /** A bitfield that arrived before metadata (BEP 9), checked once the piece count is known. */
  rawBitfield?: Buffer;
  haveNoneBeforeMetadata = false;
  ext?: ExtendedHandshake;
  readonly down = new RateMeter();
  readonly up = new RateMeter();
  /** Smoothed time from a request to its block, for sizing the request queue. */
  rttMs = 100;
  /** Requests the peer made of us, served in order. */
  readonly uploadQueue: BlockRequest[] = [];
  serving = false;
  /** A requestMore is queued for the end of the messages being read (Downloader.requestSoon). */
  requestQueued = false;
  lastBlockMs = Date.now();
  snubbed = false;
  /** BEP 6: pieces this peer may request while we choke it (our allowed-fast set for its address). */
  readonly allowedFastOut = new Set<number>();
  /** BEP 6: pieces the peer lets us request while it chokes us (at most MAX_ALLOWED_FAST_IN). */
  readonly allowedFastIn = new Set<number>();
  /** BEP 6: pieces the peer suggested we fetch from it, oldest first (at most MAX_SUGGESTED_IN). */
  readonly suggestedIn: number[] = [];
  /** BEP 6: pieces we suggested to the peer that it has not fetched yet (a seed spreading its pieces). */
  readonly suggestedOut = new Set<number>();
  /** BEP 11: peers we told this peer about, so the next message lists only changes. */
  pexSent = new Set<string>();
  connectedAtMs = Date.now();
  /** Last time a block went either way (0: never), so eviction spares the peers the swarm is using. */
  lastExchangeMs = 0;
  /** Messages received since the handshake: a peer that sends none is dropped (firstMessageTimeoutMs). */
  messages = 0;
  /** Since when blocks for it have been stuck in its socket (it does not read); undefined while they flow. */
  stalledSinceMs?: number;
  /** The socket's bytes handed to the kernel at the last check, to tell a slow reader from one that reads nothing. */
  flushedBytes = 0;

  constructor(
    readonly key: string,
    readonly conn: PeerConnection,
    /** Where the peer listens, when known (ours to dial, or its BEP 10 `p` on an incoming connection). */
    public listenAddress: PeerAddress | undefined,
    readonly remoteHost: string,
  ) {}

  get fast(): boolean {
    return this.conn.remote?.fast ?? false;
  }

  get peerId(): Buffer | undefined {
    return this.conn.remote?.peerId;
  }

  /** The id the peer wants for an extension (BEP 10), or undefined if it does not speak it. */
  extId(name: string): number | undefined {
    const id = this.ext?.m.get(name);
    return id ? id : undefined;
  }

  isSeed(): boolean {
    return this.pieces === 'all' || (this.pieces instanceof Bitfield && this.pieces.complete);
  }

  has(index: number): boolean {
    return this.pieces === 'all' || (this.pieces instanceof Bitfield && this.pieces.has(index));
  }

  clientName(): string {
    return this.ext?.v ?? this.peerId?.subarray(0, 8).toString('latin1').replace(/[^\x20-\x7e]/g, '?') ?? '?';
  }
}
