import type { TorrentStats } from '../swarm/index.js';
import type { SeedRatioMode } from './seed-limit.js';

/**
 * The node's public types: what the library API returns, what its events carry, and so what the control API
 * (`/api/rpc`, `/api/events`) and the web UI see. Plain JSON-safe values only (numbers, strings, arrays), so a
 * value crosses the HTTP API unchanged.
 */

/** The node's view of a torrent's state (the swarm's own states plus the node's queue and pause). */
export type TorrentStatus = 'stopped' | 'queued' | 'checking' | 'metadata' | 'downloading' | 'seeding' | 'error';

/** One row of the transfers list: everything a list view or `tandem ls` shows. */
export interface TorrentSummary {
  /** Stable integer id: never reused, never changed across restarts. */
  id: number;
  /** The v1 info hash, lowercase hex (the swarm tandem joins). */
  infoHash: string;
  name: string;
  status: TorrentStatus;
  /** Bytes of the whole torrent (0 while a magnet's metadata is unknown). */
  totalBytes: number;
  /** Bytes of the wanted files' pieces, and how many of them are verified on disk. */
  wantedBytes: number;
  verifiedBytes: number;
  /** verifiedBytes / wantedBytes, 0..1 (0 while unknown). */
  progress: number;
  pieceCount: number;
  piecesHave: number;
  downloadRateBytesPerSec: number;
  uploadRateBytesPerSec: number;
  /** Totals over the torrent's life, across restarts. */
  downloadedBytes: number;
  uploadedBytes: number;
  /** uploadedBytes / max(verifiedBytes, 1)… as clients show it: uploaded over downloaded-or-size. */
  ratio: number;
  peers: number;
  seeds: number;
  /** Seconds to completion at the current rate; -1 when unknown or done. */
  etaSeconds: number;
  labels: string[];
  savePath: string;
  sequential: boolean;
  /** Position in the queue (0 first). */
  queuePosition: number;
  /** Per-torrent limits in bytes per second; 0 means none. */
  downloadLimitBytesPerSec: number;
  uploadLimitBytesPerSec: number;
  /** Unix time in milliseconds. */
  addedAt: number;
  /** Unix time in milliseconds, or 0 while not complete. */
  completedAt: number;
  webSeedBytes: number;
  /** The torrent's own seed ratio limit, and the mode that says which limit applies (Transmission's list asks for both). */
  seedRatioLimit: number;
  seedRatioMode: SeedRatioMode;
  /** The last error, when status is 'error'; else ''. */
  error: string;
}

export interface TorrentFileInfo {
  index: number;
  /** Path inside the torrent, '/'-separated. */
  path: string;
  lengthBytes: number;
  /** Bytes of this file inside verified pieces. */
  verifiedBytes: number;
  wanted: boolean;
  /** -1 low, 0 normal, 1 high (Transmission's scale). */
  priority: -1 | 0 | 1;
}

export interface TorrentPeerInfo {
  address: string;
  client: string;
  outgoing: boolean;
  encrypted: boolean;
  /** 0..1 of the pieces the peer has. */
  progress: number;
  downloadRateBytesPerSec: number;
  uploadRateBytesPerSec: number;
  /** Transmission's flag letters: D downloading from, U uploading to, E encrypted, I incoming, … */
  flags: string;
}

export interface TorrentTrackerInfo {
  url: string;
  tier: number;
  /** Unix ms of the last announce, 0 if never. */
  lastAnnounceAt: number;
  lastResult: string;
  /** From the tracker's last answer; -1 while unknown. */
  seeders: number;
  leechers: number;
  /** How many peers its last answer listed. */
  lastPeerCount: number;
  /** Unix ms of the next announce to this tracker; 0 when none is due (stopped, or a backup that is asked only
   * when the trackers before it fail, BEP 12). */
  nextAnnounceAt: number;
  /** An announce to it is under way. */
  announcing: boolean;
}

/** A BEP 19 web seed of a torrent and what it sent while the torrent ran. */
export interface TorrentWebSeedInfo {
  url: string;
  /** Bytes received from it since the torrent last started (verified or not). */
  bytes: number;
  /** Pieces being fetched from it now. */
  inFlight: number;
}

/** A torrent with its files, peers and trackers (`Node.get`). */
export interface TorrentDetail extends TorrentSummary {
  files: TorrentFileInfo[];
  peerList: TorrentPeerInfo[];
  trackers: TorrentTrackerInfo[];
  webSeeds: string[];
  /** The same web seeds with their bytes (the torrent's `webSeedBytes` is their sum). */
  webSeedStats: TorrentWebSeedInfo[];
  pieceLengthBytes: number;
  /** The verified-pieces bitfield, base64 (BEP 3 order); '' while metadata is unknown. */
  piecesBitfield: string;
  /** Pieces under way, and pieces missing here that a connected peer has (`piece-states.ts`); '' when not running. */
  piecesDownloading: string;
  piecesAvailable: string;
  magnet: string;
  comment: string;
  isPrivate: boolean;
}

/** Ids as the API takes them: integer ids, info-hash prefixes (4+ hex digits), or 'all'. */
export type IdSelector = number | string | (number | string)[] | 'all';

/** What `Node.add` takes. Exactly one of `source` (magnet, URL or .torrent path) and `metainfo` (the bytes). */
export interface AddOptions {
  source?: string;
  metainfo?: Buffer;
  /** Folder to download into; the node's default download dir when absent. */
  savePath?: string;
  paused?: boolean;
  /** Only these file indexes are wanted. */
  onlyFiles?: number[];
  sequential?: boolean;
  labels?: string[];
  /** Peers to connect to directly (HOST:PORT), beside those the trackers, DHT and PEX find. */
  peers?: string[];
  /** The torrent's own limits, bytes per second (0 or absent: none); the node's global limits apply too. */
  downloadLimitBytesPerSec?: number;
  uploadLimitBytesPerSec?: number;
  /** How this run of the swarm behaves; not kept in the database (a one-shot `get` or `share` gives them). */
  swarm?: SwarmRunOptions;
  signal?: AbortSignal;
}

/** Swarm options of one run of a torrent (`tandem get`'s and `share`'s flags); the swarm's defaults when absent. */
export interface SwarmRunOptions {
  /** Most peers connected at once (`--max-peers`). */
  maxPeers?: number;
  /** BEP 19: false turns web seeds off (`--no-webseeds`); the cap on requests in flight to one seed. */
  webSeeds?: { enabled?: boolean; maxRequestsPerSeed?: number };
  /** The data was just hashed (`share` made the torrent from it): seed it without checking again. */
  trustData?: boolean;
}

export interface AddResult {
  torrent: TorrentSummary;
  /** True when the info hash was already in the node (nothing was added). */
  duplicate: boolean;
}

/** What `Node.set` may change on one or more torrents. */
export interface TorrentChanges {
  labels?: string[];
  sequential?: boolean;
  downloadLimitBytesPerSec?: number;
  uploadLimitBytesPerSec?: number;
  filesWanted?: number[];
  filesUnwanted?: number[];
  priorityHigh?: number[];
  priorityNormal?: number[];
  priorityLow?: number[];
  /** The torrent's own seed ratio limit; it applies while `seedRatioMode` is 'own'. */
  seedRatioLimit?: number;
  /** 'global' stops at the session's `seedRatioLimit`, 'own' at the torrent's, 'unlimited' never. */
  seedRatioMode?: SeedRatioMode;
}

/** Session-wide settings, kept in the state database. */
export interface SessionSettings {
  downloadDir: string;
  /** The peer port (one TCP port for all torrents). */
  peerPort: number;
  downloadLimitBytesPerSec: number;
  uploadLimitBytesPerSec: number;
  /** Alternative speeds (`alt-speed.ts`): while enabled, these replace the two limits above (0: no limit). */
  altSpeedEnabled: boolean;
  altSpeedDownBytesPerSec: number;
  altSpeedUpBytesPerSec: number;
  /** The alternative speeds' timetable (`alt-speed.ts`): minutes after local midnight, and a mask of days (Sunday 1). */
  altSpeedTimeEnabled: boolean;
  altSpeedTimeBeginMinutes: number;
  altSpeedTimeEndMinutes: number;
  altSpeedTimeDays: number;
  /** How many torrents download at once, and seed at once; the rest wait queued. */
  maxActiveDownloads: number;
  maxActiveSeeds: number;
  dht: boolean;
  lsd: boolean;
  encryption: 'allow' | 'prefer' | 'require';
  /** Global seed ratio limit; 0 means none. */
  seedRatioLimit: number;
}

export interface SessionStats {
  torrentCount: number;
  activeTorrentCount: number;
  pausedTorrentCount: number;
  downloadRateBytesPerSec: number;
  uploadRateBytesPerSec: number;
  /** Bytes since this start, and across every start. */
  sessionDownloadedBytes: number;
  sessionUploadedBytes: number;
  cumulativeDownloadedBytes: number;
  cumulativeUploadedBytes: number;
  secondsActive: number;
  dhtNodes: number;
  /** Pieces hashed to check data on disk since this start (0 after a clean restart: resume data was trusted). */
  piecesHashed: number;
  version: string;
}

export type ServerKind = 'http' | 'tftp' | 'ftp' | 'tracker-http' | 'tracker-udp';

export interface ServerInfo {
  kind: ServerKind;
  /** HOST:PORT as bound. */
  address: string;
  running: boolean;
  requests: number;
  bytesSent: number;
}

/** A running swarm's progress, as `tandem get` shows it (the swarm's own snapshot). */
export type SwarmStats = TorrentStats;

/**
 * What one torrent's swarm does, closely enough for a face that follows one transfer (`tandem get`'s progress bar
 * and `--json` lines). Each names its torrent by id. Not part of the control API's event stream, which carries the
 * coarser `torrent:changed`.
 */
export interface SwarmEvents {
  'swarm:metadata': { id: number; name: string; pieceCount: number };
  /** The data on disk is checked: `source` says how (resume data, hashing, nothing there, a new magnet's files). */
  'swarm:ready': { id: number; piecesHave: number; source: 'resume' | 'hashed' | 'empty' | 'new' };
  /** About once a second while the swarm runs. */
  'swarm:progress': { id: number; stats: SwarmStats };
  /** Every wanted byte is verified on disk. */
  'swarm:done': { id: number; stats: SwarmStats };
  /** The swarm stopped on an error; `starting` when it could not start at all (bad input shows as kind 'input'). */
  'swarm:failed': { id: number; message: string; code: string; kind: 'input' | 'runtime'; starting: boolean };
  'swarm:warning': { id: number; message: string };
  'peer:connect': { id: number; key: string; client: string; outgoing: boolean; encrypted: boolean };
  'peer:disconnect': { id: number; key: string; reason: string };
  'peer:banned': { id: number; key: string; reason: string };
  /** A BEP 19 web seed failed in a way a person should know (once per seed and kind of failure). */
  'webseed:warning': { id: number; url: string; code: string; message: string };
  /** BEP 3: a tracker's `warning message`, or its `failure reason` (or an unreachable tracker) as an error. */
  'tracker:warning': { id: number; url: string; message: string };
  'tracker:error': { id: number; url: string; message: string };
}

/** Events of the node (STYLE.md 13): each name namespaced, one detail object. */
export interface NodeEvents extends SwarmEvents {
  'torrent:added': { torrent: TorrentSummary };
  'torrent:removed': { id: number; infoHash: string };
  /** Only the fields that changed since the last event for this torrent. */
  'torrent:changed': { id: number; infoHash: string; changes: Partial<TorrentSummary> };
  'server:started': ServerInfo;
  'server:stopped': ServerInfo;
  'session:changed': { settings: SessionSettings };
  'warning': { message: string; infoHash?: string };
  /** `torrents.create` hashing `path`: `job` is the caller's name for it (the API's `job` parameter, else ''). */
  'create:progress': { job: string; path: string; hashedBytes: number; totalBytes: number };
}

export type NodeEventName = keyof NodeEvents;
