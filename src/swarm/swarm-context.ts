/**
 * What a torrent's parts (dialer, downloader, uploader, choker, metadata fetcher, message handlers, web seeds) see
 * of the torrent that owns them. `Torrent` implements it; the parts import this file, never `torrent.ts`, so the
 * owner and its parts do not import each other. The parts reach one another through the small interfaces below,
 * which name only the calls that cross between them.
 */
import type { Metainfo } from '../metainfo/index.js';
import type { PieceLayout, PieceStorage } from '../storage/index.js';
import type { Handshake, PeerAddress } from '../wire/index.js';
import type { SwarmConfig } from './defaults.js';
import type { Peer } from './peer.js';
import type { PiecePicker } from './picker.js';
import type { SeedSpread } from './seed-spread.js';
import type { RateLimit, RateMeter } from './rate.js';
import type { Requester } from './requests.js';
import type { TorrentState } from './types.js';

/** A block request or cancel as the wire carries it (BEP 3). */
export interface BlockAddress {
  index: number;
  begin: number;
  length: number;
}

/** The download side, as the handlers, the choker and the web seeds call it. */
export interface DownloadSide {
  updateInterest(peer: Peer): void;
  requestMore(peer: Peer): void;
  requestSoon(peer: Peer): void;
  onBlock(peer: Peer, index: number, begin: number, block: Buffer): void;
  /** A whole piece from elsewhere (a web seed): verified and written as a peer's would be. */
  acceptPiece(index: number, data: Buffer): 'ok' | 'bad' | 'duplicate';
}

/** The upload side: a peer's requests and cancels, and its queue dropped when it is choked. */
export interface UploadSide {
  onRequest(peer: Peer, m: BlockAddress): void;
  onCancel(peer: Peer, m: BlockAddress): void;
  clearQueue(peer: Peer): void;
}

/** BEP 9 and BEP 11: the extension messages the metadata fetcher answers. */
export interface MetadataSide {
  onPeerHandshake(peer: Peer): void;
  onMessage(peer: Peer, payload: Buffer): void;
  onPex(peer: Peer, payload: Buffer): void;
}

export interface ChokeSide {
  onInterested(peer: Peer): void;
  /** A peer lost interest (or left, with no peer given): its upload slot is handed on at once. */
  onSlotFreed(peer?: Peer): void;
  /** Chokes a peer outside the rounds (it stopped reading what it asked for). */
  choke(peer: Peer): void;
}

/** The torrent as its parts see it. */
export interface SwarmContext {
  readonly config: SwarmConfig;
  readonly infoHash: Buffer;
  readonly random: () => number;
  readonly init: { readonly clientName?: string };
  readonly state: TorrentState;
  readonly isDone: boolean;
  readonly listenPort: number;
  readonly meta?: Metainfo;
  readonly layout?: PieceLayout;
  readonly storage?: PieceStorage;
  readonly picker?: PiecePicker;
  /** How often each piece went out, for a seed's suggestions (seed-suggest.ts). */
  readonly spread?: SeedSpread;
  readonly requester?: Requester;
  readonly peers: ReadonlyMap<string, Peer>;
  readonly banned: ReadonlySet<string>;
  /** BEP 6: connected peers holding our allowed-fast set, per /24 (handlers.ts grants it to a few per network). */
  readonly allowedFastGrants: Map<string, number>;
  /** Hash failures each peer took part in, towards a ban. */
  readonly strikes: Map<string, number>;
  readonly downMeter: RateMeter;
  readonly upMeter: RateMeter;
  readonly downBucket: RateLimit;
  readonly upBucket: RateLimit;
  readonly downloader: DownloadSide;
  readonly uploader: UploadSide;
  readonly metadata: MetadataSide;
  readonly choker: ChokeSide;
  localHandshake(): Handshake;
  addPeers(addresses: PeerAddress[]): void;
  /** Metadata fetched from peers (BEP 9) and checked against the info hash. */
  setMetadata(meta: Metainfo, fetched: boolean): Promise<void>;
  pieceVerified(index: number): void;
  pieceFailed(index: number, peers: string[]): void;
  checkDone(): void;
  ban(peer: Peer, reason: string): void;
  /** Drops a peer for a protocol violation, counting it against its address (repeat offenders are banned). */
  misbehaved(peer: Peer, reason: string): void;
  /** BEP 5 PORT from a peer. */
  dhtPort(peer: Peer, port: number): void;
  warn(message: string): void;
  fail(error: Error): void;
}
