import type { FilePriority } from './file-priorities.js';
import type { Metainfo } from '../metainfo/index.js';
import type { PieceStorage } from '../storage/index.js';
import type { PeerAddress } from '../wire/index.js';
import type { SwarmConfig } from './defaults.js';
import type { PeerListener } from './listener.js';
import type { ResumeBackend } from '../storage/index.js';
import type { RateLimit } from './rate.js';

/** BEP 19 web seeds of a torrent (`Torrent` passes them to `WebSeeds`). */
export interface WebSeedsInit {
  /** False turns web seeds off (`--no-webseeds`). */
  enabled?: boolean;
  /** More seeds besides the torrent's url-list (a magnet's `ws=`, BEP 9), used once metadata is known. */
  urls?: string[];
  /** HTTP requests in flight to one seed at most (`--webseed-max-requests`). */
  maxRequestsPerSeed?: number;
}

/** Plain options of a torrent session (STYLE.md 16). */
export interface TorrentInit {
  /** The torrent, when known; for a magnet link give `infoHash` and the metadata is fetched from peers (BEP 9). */
  metainfo?: Metainfo;
  /** The v1 info hash (20 bytes): the swarm tandem joins, for v1 and hybrid torrents alike. */
  infoHash?: Buffer;
  /** The folder files are written under (the torrent's name is a folder or file inside it). */
  dir: string;
  /** Only these file indexes are downloaded (others are skipped unless a wanted piece touches them). */
  onlyFiles?: number[];
  /** File index to priority (-1 low, 1 high; absent: normal): higher-priority pieces are fetched first. */
  filePriorities?: Record<number, FilePriority>;
  sequential?: boolean;
  downloadLimitBytesPerSec?: number;
  uploadLimitBytesPerSec?: number;
  /** Peers to connect to at start (`--peer`, magnet `x.pe`). */
  peers?: PeerAddress[];
  /** Where to listen for peers, if no shared listener is given: every interface by default. Port 0 picks a free port. */
  listenHosts?: string[];
  listenPort?: number;
  config?: Partial<SwarmConfig>;
  /** The data was just hashed (by `share`): seed it without checking again. */
  trustData?: boolean;
  /** Client name in the BEP 10 handshake. */
  clientName?: string;
  /** BEP 19 web seeds: on by default for the torrent's url-list; extra URLs (magnet `ws=`) and the cap. */
  webSeeds?: WebSeedsInit;
}

/** Injected dependencies (STYLE.md 16): tests pass a memory storage, a seeded random, a shared listener. */
export interface TorrentComponents {
  storage?: (meta: Metainfo) => PieceStorage;
  listener?: PeerListener;
  random?: () => number;
  peerId?: Buffer;
  /**
   * An upload allowance shared with others (`serve --seed --upload-limit`: every seeded torrent and the HTTP
   * bodies draw on one; the node's global limit); spent together with the torrent's own `uploadLimitBytesPerSec`.
   */
  uploadBucket?: RateLimit;
  /** The node's global download limit, spent together with the torrent's own. */
  downloadBucket?: RateLimit;
  /** Where resume data lives: the node's database; a `.tandem/` file beside the data when absent. */
  resume?: ResumeBackend;
}

export type TorrentState = 'metadata' | 'checking' | 'downloading' | 'seeding' | 'stopped';

/** A snapshot of a torrent's progress, for progress bars, the daemon and its API. */
export interface TorrentStats {
  state: TorrentState;
  name?: string;
  infoHash: string;
  pieceCount: number;
  piecesHave: number;
  /** Bytes of the wanted pieces, and how many of them are verified on disk. */
  wantedBytes: number;
  verifiedBytes: number;
  downloadRateBytesPerSec: number;
  uploadRateBytesPerSec: number;
  downloadedBytes: number;
  uploadedBytes: number;
  peers: number;
  seeds: number;
  /** Seconds to completion at the current rate; undefined when unknown. */
  etaSeconds?: number;
  listenPort: number;
  /** Bytes received from BEP 19 web seeds (part of `downloadedBytes`). */
  webSeedBytes: number;
}

/** Events of a torrent (STYLE.md 13): namespaced names, one detail object each. */
export interface TorrentEvents {
  'metadata': { name: string; pieceCount: number };
  'ready': { piecesHave: number; source: 'resume' | 'hashed' | 'empty' | 'new' };
  'check:progress': { checked: number; total: number };
  'piece:verified': { index: number };
  'piece:failed': { index: number; peers: string[] };
  /** `encrypted`: the stream is RC4-encrypted (MSE). */
  'peer:connect': { key: string; client: string; outgoing: boolean; encrypted: boolean };
  'peer:disconnect': { key: string; reason: string };
  'peer:banned': { key: string; reason: string };
  /** BEP 5 PORT message: a peer's DHT node, for the DHT engineer's node to add. */
  'peer:dht-port': { host: string; port: number };
  'done': TorrentStats;
  'stats': TorrentStats;
  'warning': { message: string };
  'error': { error: Error };
}
