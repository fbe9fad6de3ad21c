import { parseTorrent, magnetFromMetainfo, type Metainfo } from '../metainfo/index.js';
import { validResume, type ResumeBackend } from '../storage/index.js';
import { parsePeerAddress, Torrent, type PeerListener, type RateLimit } from '../swarm/index.js';
import type { DhtNode } from '../dht/index.js';
import { Bitfield, type PeerAddress } from '../wire/index.js';
import { trackerList, webSeedList } from './detail-sources.js';
import { WebSeedTally } from './web-seed-tally.js';
import { EntryDiscovery } from './entry-discovery.js';
import type { NodeLog } from './log.js';
import { pieceStates } from './piece-states.js';
import { fileProgress, progressOf, type Progress } from './progress.js';
import type { StateStore, TorrentRecord } from './state-store.js';
import { forwardSwarmEvents, type EmitSwarmEvent } from './swarm-events.js';
import type { SwarmRunOptions, TorrentDetail, TorrentFileInfo, TorrentPeerInfo, TorrentStatus, TorrentSummary, TorrentTrackerInfo } from './types.js';

/** What every torrent of a node shares: the one listener, DHT node, peer id, global limits, database. */
export interface EntryContext {
  store: StateStore;
  listener: PeerListener;
  peerId: Buffer;
  downloadLimit: RateLimit;
  uploadLimit: RateLimit;
  dht: () => DhtNode | undefined;
  encryption: 'allow' | 'prefer' | 'require';
  /** Resume data in the database (a node with a state dir), or in `.tandem/` beside the data (the swarm's default). */
  resumeInDatabase: boolean;
  log: NodeLog;
  emit: EmitSwarmEvent;
  /** Called when a magnet's metadata arrived (the entry has stored it), and when a download completes. */
  onMetadata(entry: TorrentEntry): void;
  onDone(entry: TorrentEntry): void;
  /** The swarm failed; `starting` when it could not start at all. */
  onError(entry: TorrentEntry, error: Error, starting: boolean): void;
  /** Pieces hashed while checking data on disk. */
  onHashed(pieces: number): void;
}

type TrackerState = TorrentTrackerInfo;

/**
 * One torrent of the node: its record in the database, and while it runs, its swarm (`Torrent`), tracker client
 * and DHT lookups. A `Torrent` runs once, so each start makes a new one; what must outlive it (byte totals, the
 * verified bitfield) is kept here and in the database.
 */
export class TorrentEntry {
  torrent?: Torrent;
  status: TorrentStatus = 'stopped';
  error = '';
  /** Stop once a magnet's metadata is known (a magnet added paused: files are chosen before any download). */
  stopAfterMetadata = false;
  /** The parsed metainfo: parsed when first needed, dropped when the torrent stops (10,000 idle torrents keep none). */
  private parsed?: Metainfo;
  /** Swarm options of this run only (a one-shot node's flags); not in the database. */
  runOptions?: SwarmRunOptions;
  private discovery?: EntryDiscovery;
  /** Trackers and their last results, made when the torrent first runs. */
  private trackers?: Map<string, TrackerState>;
  /** Bytes of the running torrent's meters already added to the record's totals. */
  private countedUp = 0;
  private countedDown = 0;
  /** Each web seed's lifetime bytes (the record's totals and the running swarm's new ones). */
  private readonly webSeedTally = new WebSeedTally();
  /** Bytes folded into the record's totals but not yet committed (the node's checkpoint takes them). */
  private unsavedUp = 0;
  private unsavedDown = 0;
  private stopping?: Promise<void>;
  /** The last summary sent as an event, to send only what changed. */
  lastSummary?: TorrentSummary;

  constructor(
    public record: TorrentRecord,
    private readonly ctx: EntryContext,
  ) {
    record.hasTorrent ??= record.torrent !== null;
    // A database from before the cached sizes (schema 1): computed once, then kept.
    if (record.hasTorrent && record.pieceCount === 0) this.loadOffline();
  }

  /** Whether the metainfo is known (a magnet's arrives from peers). */
  get hasMeta(): boolean {
    return this.record.hasTorrent === true || this.parsed !== undefined;
  }

  get meta(): Metainfo | undefined {
    if (this.parsed || !this.record.hasTorrent) return this.parsed;
    const bytes = this.record.torrent ?? this.ctx.store.loadTorrentBytes(this.id);
    if (!bytes) return undefined;
    this.parsed = parseTorrent(bytes, { requirePieceLayers: false });
    return this.parsed;
  }

  get id(): number {
    return this.record.id;
  }

  get infoHash(): string {
    return this.record.infoHash;
  }

  get running(): boolean {
    return this.torrent !== undefined;
  }

  get complete(): boolean {
    return this.record.completedAt > 0;
  }

  /** Drops the parsed metainfo and the .torrent bytes of a torrent that is not running (they are reloaded on demand). */
  releaseMeta(): void {
    this.record.torrent = null;
    if (!this.torrent) this.parsed = undefined;
  }

  /** The verified pieces as the resume data in the database says (for a torrent that is not running). */
  private storedHave(meta: Metainfo): Bitfield | undefined {
    const stored = this.ctx.store.loadResume(this.id);
    return stored && validResume(meta, Buffer.from(this.infoHash, 'hex'), stored.bitfield, stored.files)?.bitfield;
  }

  /** Recomputes the cached size and progress from the metainfo and resume data, and commits them. */
  loadOffline(): void {
    const meta = this.meta;
    if (!meta) return;
    this.cacheProgress(meta, this.storedHave(meta));
  }

  private cacheProgress(meta: Metainfo, have: Bitfield | undefined): void {
    const p: Progress = progressOf(meta, have, this.record.filesWanted);
    const changes = { totalBytes: meta.contentLengthBytes, pieceCount: meta.pieceCount, wantedBytes: p.wantedBytes, verifiedBytes: p.verifiedBytes, piecesHave: p.piecesHave };
    Object.assign(this.record, changes);
    this.ctx.store.updateTorrent(this.id, changes);
  }

  /** Resume data in the node's database: read at start, written by the swarm as pieces are verified. */
  private resumeBackend(): ResumeBackend {
    const store = this.ctx.store;
    const id = this.id;
    return {
      load: async (meta, infoHash) => {
        const stored = store.loadResume(id);
        return stored && validResume(meta, infoHash, stored.bitfield, stored.files);
      },
      save: async (_meta, _infoHash, data) => {
        store.saveResume(id, Buffer.from(data.bitfield.bytes), data.files.map((f) => f ?? null));
      },
    };
  }

  /** Starts the swarm, the tracker client and DHT lookups. Resolves once the data is checked (or fails). */
  /**
   * Text a face made from this torrent while it was idle (Transmission's torrent-get rows), keyed by what it asked
   * for. Dropped whenever anything about the torrent changes: every change ends in `Node.changed`, and a start or a
   * stop clears it too. A running torrent's text is never kept (its rates move every second).
   */
  private faceText?: { key: string; text: string };

  cachedText(key: string, make: () => string): string {
    if (this.torrent) return make();
    if (this.faceText?.key === key) return this.faceText.text;
    const text = make();
    this.faceText = { key, text };
    return text;
  }

  forgetText(): void {
    this.faceText = undefined;
  }

  async start(): Promise<void> {
    this.faceText = undefined;
    if (this.torrent) return;
    await this.stopping;
    const dht = this.ctx.dht();
    const torrent = this.newTorrent();
    this.torrent = torrent;
    this.countedUp = 0;
    this.countedDown = 0;
    this.webSeedTally.reset();
    this.error = '';
    this.status = this.hasMeta ? 'checking' : 'metadata';
    const discovery = new EntryDiscovery(this.id, torrent, this.ctx.emit, this.ctx.log);
    this.discovery = discovery;
    if (dht) {
      // Before the swarm starts, so that its first handshakes already carry the DHT bit (BEP 5).
      torrent.localDhtPort = (dht.address(4) ?? dht.address(6))?.port;
      torrent.on('peer:dht-port', (p) => void dht.addNode(p));
    }
    this.follow(torrent, discovery);
    try {
      await torrent.start();
    } catch (err) {
      this.ctx.onError(this, err as Error, true);
      return;
    }
    if (this.torrent !== torrent) return;
    const port = this.ctx.listener.port;
    discovery.startTrackers(this.meta?.announce.length ? this.meta.announce : this.record.extraTrackers.map((t) => [t]), port, (this.trackers ??= new Map()));
    if (dht && !this.meta?.private) discovery.startDht(dht, port);
  }

  private newTorrent(): Torrent {
    const r = this.record;
    const run = this.runOptions ?? {};
    return new Torrent(
      {
        metainfo: this.meta,
        infoHash: Buffer.from(r.infoHash, 'hex'),
        dir: r.savePath,
        onlyFiles: r.filesWanted ?? undefined,
        filePriorities: r.priorities,
        sequential: r.sequential,
        downloadLimitBytesPerSec: r.downLimit,
        uploadLimitBytesPerSec: r.upLimit,
        peers: r.extraPeers.flatMap((p) => safePeer(p)),
        webSeeds: { enabled: run.webSeeds?.enabled ?? true, urls: r.extraWebSeeds, maxRequestsPerSeed: run.webSeeds?.maxRequestsPerSeed },
        trustData: run.trustData,
        config: { encryption: this.ctx.encryption, ...(run.maxPeers === undefined ? {} : { maxPeers: run.maxPeers }) },
      },
      {
        listener: this.ctx.listener,
        peerId: this.ctx.peerId,
        downloadBucket: this.ctx.downloadLimit,
        uploadBucket: this.ctx.uploadLimit,
        resume: this.ctx.resumeInDatabase ? this.resumeBackend() : undefined,
      },
    );
  }

  /** The node's side of the swarm's events: status, stored metadata, completion, errors; and the faces' view. */
  private follow(torrent: Torrent, discovery: EntryDiscovery): void {
    forwardSwarmEvents(this.id, torrent, this.ctx.emit);
    torrent.on('metadata', () => {
      if (!this.hasMeta && torrent.meta) this.metadataArrived(torrent.meta);
    });
    torrent.on('ready', () => {
      if (this.torrent === torrent) this.status = torrent.isDone ? 'seeding' : 'downloading';
    });
    torrent.on('done', () => {
      if (this.torrent !== torrent) return;
      this.status = 'seeding';
      discovery.completed();
      this.ctx.onDone(this);
    });
    // A failure stops the swarm; the writes already in flight then fail the same way (a full disk fails each one),
    // and those echoes are not news: the first error of a run is reported, once.
    let failed = false;
    torrent.on('error', ({ error }) => {
      if (failed || this.torrent !== torrent) return;
      failed = true;
      this.ctx.onError(this, error, false);
    });
    let checked = 0;
    torrent.on('check:progress', (p) => {
      this.ctx.onHashed(p.checked - checked);
      checked = p.checked;
    });
  }

  /** A magnet's metadata arrived: kept in the database at once, so a restart never fetches it again. */
  private metadataArrived(meta: Metainfo): void {
    this.parsed = meta;
    const torrent = torrentBytes(meta.infoBytes, this.record.extraTrackers);
    this.record.hasTorrent = true;
    this.record.name = meta.name;
    this.ctx.store.updateTorrent(this.id, { torrent, name: meta.name });
    this.cacheProgress(meta, undefined);
    this.ctx.onMetadata(this);
  }

  /** Stops the swarm (resume data saved by it), folding its byte counts into the record. */
  /** Asks the torrent's trackers and the DHT for peers now (nothing while it is not running). */
  reannounce(): void {
    this.discovery?.reannounce();
  }

  async stop(status: TorrentStatus = 'stopped'): Promise<void> {
    this.faceText = undefined;
    const torrent = this.torrent;
    this.status = status;
    if (!torrent) return this.stopping;
    this.torrent = undefined;
    this.foldCounters(torrent);
    if (this.parsed && torrent.picker) this.cacheProgress(this.parsed, torrent.picker.have);
    this.parsed = undefined;
    const discovery = this.discovery;
    this.discovery = undefined;
    this.stopping = (async () => {
      await discovery?.stop();
      await torrent.stop();
    })();
    return this.stopping;
  }

  /** Adds the running torrent's new bytes to the record's lifetime totals (committed by the next checkpoint). */
  foldCounters(torrent = this.torrent): void {
    if (!torrent) return;
    const up = torrent.upMeter.total - this.countedUp;
    const down = torrent.downMeter.total - this.countedDown;
    this.countedUp += up;
    this.countedDown += down;
    this.record.uploaded += up;
    this.record.downloaded += down;
    const webSeedBytes = this.webSeedTally.fold(this.record.webSeedBytes, torrent.webSeeds.perSeed());
    if (webSeedBytes) this.record.webSeedBytes = webSeedBytes;
    this.unsavedUp += up;
    this.unsavedDown += down;
  }

  /** Bytes moved that the session counters do not have yet: folded but not committed, and not yet folded. */
  pendingBytes(): { up: number; down: number } {
    const t = this.torrent;
    return {
      up: this.unsavedUp + (t ? t.upMeter.total - this.countedUp : 0),
      down: this.unsavedDown + (t ? t.downMeter.total - this.countedDown : 0),
    };
  }

  /** The bytes folded since the last call: the checkpoint commits the record's totals and adds these to the session's. */
  takeUnsaved(): { up: number; down: number } {
    this.foldCounters();
    const out = { up: this.unsavedUp, down: this.unsavedDown };
    this.unsavedUp = 0;
    this.unsavedDown = 0;
    return out;
  }

  summary(): TorrentSummary {
    const r = this.record;
    const s = this.torrent?.stats();
    const live = s !== undefined && s.state !== 'checking' && s.state !== 'metadata';
    const wantedBytes = s?.wantedBytes || r.wantedBytes;
    const verifiedBytes = live ? s.verifiedBytes : r.verifiedBytes;
    const pending = this.torrent ? { up: this.torrent.upMeter.total - this.countedUp, down: this.torrent.downMeter.total - this.countedDown } : { up: 0, down: 0 };
    const uploaded = r.uploaded + pending.up;
    const downloaded = r.downloaded + pending.down;
    return {
      id: r.id,
      infoHash: r.infoHash,
      name: r.name,
      status: this.status,
      totalBytes: r.totalBytes,
      wantedBytes,
      verifiedBytes,
      progress: wantedBytes > 0 ? Math.min(1, verifiedBytes / wantedBytes) : 0,
      pieceCount: r.pieceCount,
      piecesHave: live ? s.piecesHave : r.piecesHave,
      downloadRateBytesPerSec: Math.round(s?.downloadRateBytesPerSec ?? 0),
      uploadRateBytesPerSec: Math.round(s?.uploadRateBytesPerSec ?? 0),
      downloadedBytes: downloaded,
      uploadedBytes: uploaded,
      ratio: Math.round((uploaded / Math.max(1, downloaded || verifiedBytes)) * 1000) / 1000,
      peers: s?.peers ?? 0,
      seeds: s?.seeds ?? 0,
      etaSeconds: s && s.etaSeconds !== undefined && verifiedBytes < wantedBytes ? s.etaSeconds : -1,
      labels: r.labels,
      savePath: r.savePath,
      sequential: r.sequential,
      queuePosition: r.queuePosition,
      downloadLimitBytesPerSec: r.downLimit,
      uploadLimitBytesPerSec: r.upLimit,
      addedAt: r.addedAt,
      completedAt: r.completedAt,
      webSeedBytes: this.webSeedTally.total(r.webSeedBytes, this.torrent?.webSeeds.perSeed()),
      seedRatioLimit: r.seedRatio,
      seedRatioMode: r.seedRatioMode,
      error: this.error,
    };
  }

  detail(): TorrentDetail {
    const meta = this.meta;
    const have = this.torrent?.picker?.have ?? (meta ? this.storedHave(meta) : undefined);
    const perFile = meta ? fileProgress(meta, have) : [];
    const wanted = this.record.filesWanted === null ? undefined : new Set(this.record.filesWanted);
    const files: TorrentFileInfo[] = (meta?.files ?? [])
      .map((f, index) => ({ f, index }))
      .filter(({ f }) => !f.pad)
      .map(({ f, index }) => ({
        index,
        path: meta!.singleFile ? f.path.join('/') : [meta!.name, ...f.path].join('/'),
        lengthBytes: f.length,
        verifiedBytes: perFile[index] ?? 0,
        wanted: wanted ? wanted.has(index) : true,
        priority: this.record.priorities[String(index)] ?? 0,
      }));
    const webSeeds = [...(meta?.urlList ?? []), ...this.record.extraWebSeeds];
    const liveSeeds = this.torrent?.webSeeds.perSeed();
    return {
      ...this.summary(),
      files,
      peerList: this.peerList(),
      trackers: trackerList(this.trackers, this.discovery?.trackerStatus()),
      webSeeds,
      webSeedStats: webSeedList(webSeeds, liveSeeds, this.webSeedTally.current(this.record.webSeedBytes, liveSeeds)),
      pieceLengthBytes: meta?.pieceLengthBytes ?? 0,
      piecesBitfield: have ? Buffer.from(have.bytes).toString('base64') : '',
      ...pieceStates(this.torrent?.picker),
      magnet: meta ? magnetFromMetainfo(meta) : (this.record.magnet ?? ''),
      comment: meta?.comment ?? '',
      isPrivate: meta?.private ?? false,
    };
  }

  private peerList(): TorrentPeerInfo[] {
    const t = this.torrent;
    if (!t) return [];
    const now = Date.now();
    const pieceCount = Math.max(1, this.record.pieceCount);
    return [...t.peers.values()].map((p) => {
      const down = Math.round(p.down.rate(now));
      const up = Math.round(p.up.rate(now));
      const have = p.pieces === 'all' ? pieceCount : (p.pieces?.count ?? 0);
      const flags = `${down > 0 ? 'D' : ''}${up > 0 ? 'U' : ''}${p.conn.encrypted ? 'E' : ''}${p.conn.outgoing ? '' : 'I'}`;
      return { address: p.key, client: p.clientName(), outgoing: p.conn.outgoing, encrypted: p.conn.encrypted, progress: Math.min(1, have / pieceCount), downloadRateBytesPerSec: down, uploadRateBytesPerSec: up, flags };
    });
  }
}

/** A .torrent's bytes from fetched metadata (BEP 9): the info dictionary as received, with the magnet's trackers. */
export function torrentBytes(infoBytes: Buffer, trackers: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from('d')];
  const str = (s: string): Buffer => Buffer.concat([Buffer.from(`${Buffer.byteLength(s)}:`), Buffer.from(s)]);
  if (trackers.length > 0) {
    parts.push(str('announce'), str(trackers[0]!));
    parts.push(str('announce-list'), Buffer.from('l'), ...trackers.flatMap((t) => [Buffer.from('l'), str(t), Buffer.from('e')]), Buffer.from('e'));
  }
  parts.push(str('info'), infoBytes, Buffer.from('e'));
  return Buffer.concat(parts);
}

function safePeer(text: string): PeerAddress[] {
  try {
    return [parsePeerAddress(text)];
  } catch {
    return [];
  }
}
