import type { EncryptionPolicy } from '../mse/index.js';
import { DEFAULT_GUARD, type AddressGuardOptions } from './address-guard.js';
import { DEFAULT_EVICTION, type EvictionOptions } from './eviction.js';

/**
 * Every tunable of the peer engine, in one place, with units in the names (DESIGN.md §5). `testConfig()` gives the
 * loopback preset that tests use.
 */
export interface SwarmConfig {
  /** BEP 3 block size; every client uses 16 KiB. */
  blockBytes: number;
  /** Pieces fetched in random order before rarest-first takes over, so a new peer soon has something to trade. */
  randomFirstPieces: number;
  /**
   * Seconds of transfer the request queue should cover at the peer's measured rate (plus one round trip). Short:
   * a request queued at a shared seed is bandwidth claimed there, and a deep queue lets the first downloader keep
   * most of the seed (the lab at N = 2: with 2 s one client took 58% of the seed's blocks, its peer could not
   * forward them in time, and the seed sent 1.24 copies; with 0.5 s it sent 1.10 and D fell from 1.33 to 1.20 ×
   * the bound). The round trip is measured and added, so a long path still gets a full pipe.
   */
  requestQueueSeconds: number;
  minRequestQueue: number;
  maxRequestQueue: number;
  /** A request not answered in this time goes to another peer, and the peer counts as snubbing us. */
  requestTimeoutMs: number;
  /** A peer that sent nothing we asked for in this time loses all its requests (snubbed). */
  snubTimeoutMs: number;
  /** Bytes of pieces held in memory while their blocks arrive (pieces are written once verified). */
  maxPartialBytes: number;
  /** Bytes of verified pieces queued for writing before requests pause until the disk catches up. */
  maxWriteQueueBytes: number;
  /** Upload slots for tit-for-tat, one of them optimistic. */
  uploadSlots: number;
  /** BEP 6: pieces each fast-extension peer may fetch from us while choked (its allowed-fast set; BEP 6 suggests 10). */
  allowedFastPieces: number;
  /** BEP 6: how many connected peers of one /24 are granted that set (they all share it; more only repeats it). */
  allowedFastPeersPerNetwork: number;
  /** BEP 6 SUGGEST: the most pieces a seed keeps suggested to each unchoked peer, least sent first (0: none). */
  suggestPieces: number;
  chokeIntervalMs: number;
  /** BEP 3: the optimistic unchoke rotates every 30 seconds. */
  optimisticIntervalMs: number;
  /** Hash failures a peer may take part in before it is banned for the session. */
  maxHashFailures: number;
  maxPeers: number;
  /** Connections one address may hold to one torrent (several clients behind one NAT are normal; hundreds are not). */
  maxPeersPerAddress: number;
  /** When the torrent is full, who gives its place to a newcomer (eviction.ts). */
  eviction: EvictionOptions;
  /** Who may connect to a listener the torrent owns, from the address alone: caps, flood limits, bans. */
  guard: AddressGuardOptions;
  /** A peer that sends no message at all this long after the handshake is dropped (honest ones send a bitfield at once). */
  firstMessageTimeoutMs: number;
  /**
   * A peer whose blocks stay stuck in its socket (it asked and does not read) is choked after the first of these
   * and dropped after the second, so it holds neither an upload slot nor memory.
   */
  stalledChokeMs: number;
  stalledDropMs: number;
  /** Bytes waiting in one peer's socket beyond which anything more it asks for (requests, rejects) drops it. */
  maxUnsentBytes: number;
  /** Outgoing connection attempts at once. */
  maxConnecting: number;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** BEP 3: keep-alives every two minutes; a silent peer is dropped after a little more. */
  keepAliveIntervalMs: number;
  idleTimeoutMs: number;
  /** How many requests we accept queued from one peer before rejecting (our BEP 10 `reqq`). */
  maxIncomingRequests: number;
  /** BEP 11: send PEX at most once a minute. */
  pexIntervalMs: number;
  metadataRequestTimeoutMs: number;
  /** How often resume data is saved while downloading. */
  resumeSaveIntervalMs: number;
  /** How often the stats snapshot (rates) is refreshed and 'stats' emitted. */
  tickMs: number;
  /** Delay before reconnecting to a peer we lost, and how many times. */
  reconnectDelayMs: number;
  maxReconnects: number;
  /**
   * A piece that connected peers have waits this long for one of them to be asked before a BEP 19 web seed may be
   * asked for it instead (peers first, the origin as a backstop); also how long a web seed may hold a piece
   * before peers are let at it too.
   */
  webSeedGraceMs: number;
  /**
   * Protocol encryption (MSE). `allow` by default: incoming MSE is answered (libtorrent and most clients open with
   * it), outgoing dials stay plaintext and a responder picks plaintext when offered, so no RC4 costs CPU where
   * nobody asked for it. `prefer` dials with MSE; `require` takes RC4-encrypted connections only (mse/policy.ts).
   */
  encryption: EncryptionPolicy;
}

export const DEFAULT_CONFIG: SwarmConfig = {
  blockBytes: 16 * 1024,
  randomFirstPieces: 4,
  requestQueueSeconds: 0.5,
  minRequestQueue: 16,
  maxRequestQueue: 1000,
  requestTimeoutMs: 20_000,
  snubTimeoutMs: 30_000,
  maxPartialBytes: 32 * 1024 * 1024,
  maxWriteQueueBytes: 32 * 1024 * 1024,
  uploadSlots: 8,
  allowedFastPieces: 10,
  allowedFastPeersPerNetwork: 2,
  suggestPieces: 16,
  chokeIntervalMs: 10_000,
  optimisticIntervalMs: 30_000,
  maxHashFailures: 2,
  maxPeers: 60,
  maxPeersPerAddress: 8,
  eviction: DEFAULT_EVICTION,
  guard: DEFAULT_GUARD,
  firstMessageTimeoutMs: 30_000,
  stalledChokeMs: 10_000,
  stalledDropMs: 30_000,
  maxUnsentBytes: 2 * 1024 * 1024,
  maxConnecting: 10,
  connectTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  keepAliveIntervalMs: 120_000,
  idleTimeoutMs: 180_000,
  maxIncomingRequests: 2000,
  pexIntervalMs: 60_000,
  metadataRequestTimeoutMs: 10_000,
  resumeSaveIntervalMs: 5_000,
  tickMs: 1_000,
  reconnectDelayMs: 1_000,
  maxReconnects: 5,
  webSeedGraceMs: 3_000,
  encryption: 'allow',
};

/**
 * Where a torrent listens for peers unless told: every IPv4 and IPv6 interface, so a peer on another machine can
 * connect (BEP 3 peers dial each other; a peer reachable only on loopback can never be dialled).
 */
export const DEFAULT_LISTEN_HOSTS: readonly string[] = ['0.0.0.0', '::'];

/** Loopback only: what tests listen on, so nothing outside the machine can reach them. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1'];

/** The preset tests use: quicker timeouts and choking rounds so faults show up within a test's time. */
export function testConfig(overrides: Partial<SwarmConfig> = {}): SwarmConfig {
  return { ...DEFAULT_CONFIG, requestTimeoutMs: 5_000, snubTimeoutMs: 8_000, chokeIntervalMs: 2_000, optimisticIntervalMs: 4_000, reconnectDelayMs: 300, ...overrides };
}
