import { parseTorrent, magnetFromMetainfo, type Metainfo } from '../metainfo/index.js';
import { validResume, type ResumeBackend } from '../storage/index.js';
import { parsePeerAddress, Torrent, type PeerListener, type RateLimit } from '../swarm/index.js';
import { DhtPeerSource, type DhtNode } from '../dht/index.js';
import { TrackerClient } from '../tracker/index.js';
import { Bitfield, type PeerAddress } from '../wire/index.js';
import type { NodeLog } from './log.js';
import { fileProgress, progressOf, type Progress } from './progress.js';
import type { NodeStore, TorrentRecord } from './store.js';
import type { TorrentDetail, TorrentFileInfo, TorrentPeerInfo, TorrentStatus, TorrentSummary, TorrentTrackerInfo } from './types.js';

/** What every torrent of a node shares: the one listener, DHT node, peer id, global limits, database. */
export interface EntryContext {
  store: NodeStore;
  listener: PeerListener;
  peerId: Buffer;
  downloadLimit: RateLimit;
  uploadLimit: RateLimit;
  dht: () => DhtNode | undefined;
  encryption: 'allow' | 'prefer' | 'require';
  log: NodeLog;
  /** Called when a magnet's metadata arrived (the entry has stored it), and when a download completes. */
  onMetadata(entry: TorrentEntry): void;
  onDone(entry: TorrentEntry): void;
  onError(entry: TorrentEntry, message: string): void;
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
  meta?: Metainfo;
  torrent?: Torrent;
  status: TorrentStatus = 'stopped';
  error = '';
  /** Stop once a magnet's metadata is known (a magnet added paused: files are chosen before any download). */
  stopAfterMetadata = false;
  /** The verified pieces while not running (from the resume data, or the last run). */
  private have?: Bitfield;
  private offline: Progress = { wantedBytes: 0, verifiedBytes: 0, piecesHave: 0 };
  private tracker?: TrackerClient;
  private dhtSource?: DhtPeerSource;
  private readonly trackers = new Map<string, TrackerState>();
  /** Bytes of the running torrent's meters already added to the record's totals. */
  private countedUp = 0;
  private countedDown = 0;
  /** Bytes folded into the record's totals but not yet committed (the node's checkpoint takes them). */
  private unsaved = { up: 0, down: 0 };
  private stopping?: Promise<void>;
  /** The last summary sent as an event, to send only what changed. */
  lastSummary?: TorrentSummary;

  constructor(
    public record: TorrentRecord,
    private readonly ctx: EntryContext,
  ) {
    if (record.torrent) this.meta = parseTorrent(record.torrent, { requirePieceLayers: false });
    this.loadOffline();
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

  /** Reads the resume bitfield from the database, for the progress of a torrent that is not running. */
  loadOffline(): void {
    if (!this.meta) return;
    const stored = this.ctx.store.loadResume(this.id);
    const resume = stored && validResume(this.meta, Buffer.from(this.infoHash, 'hex'), stored.bitfield, stored.files);
    this.have = resume?.bitfield;
    this.offline = progressOf(this.meta, this.have, this.record.filesWanted);
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
  async start(): Promise<void> {
    if (this.torrent) return;
    await this.stopping;
    const r = this.record;
    const infoHash = Buffer.from(r.infoHash, 'hex');
    const dht = this.ctx.dht();
    const torrent = new Torrent(
      {
        metainfo: this.meta,
        infoHash,
        dir: r.savePath,
        onlyFiles: r.filesWanted ?? undefined,
        sequential: r.sequential,
        downloadLimitBytesPerSec: r.downLimit,
        uploadLimitBytesPerSec: r.upLimit,
        peers: r.extraPeers.flatMap((p) => safePeer(p)),
        webSeeds: { enabled: true, urls: r.extraWebSeeds },
        config: { encryption: this.ctx.encryption },
      },
      { listener: this.ctx.listener, peerId: this.ctx.peerId, downloadBucket: this.ctx.downloadLimit, uploadBucket: this.ctx.uploadLimit, resume: this.resumeBackend() },
    );
    this.torrent = torrent;
    this.countedUp = 0;
    this.countedDown = 0;
    this.error = '';
    this.status = this.meta ? 'checking' : 'metadata';
    if (dht) {
      torrent.localDhtPort = (dht.address(4) ?? dht.address(6))?.port;
      torrent.on('peer:dht-port', (p) => void dht.addNode(p));
    }
    torrent.on('metadata', () => {
      if (!this.meta && torrent.meta) this.metadataArrived(torrent.meta);
    });
    torrent.on('ready', () => {
      if (this.torrent === torrent) this.status = torrent.isDone ? 'seeding' : 'downloading';
    });
    torrent.on('done', () => {
      if (this.torrent !== torrent) return;
      this.status = 'seeding';
      this.tracker?.completed();
      this.ctx.onDone(this);
    });
    torrent.on('error', ({ error }) => this.ctx.onError(this, error.message));
    let checked = 0;
    torrent.on('check:progress', (p) => {
      this.ctx.onHashed(p.checked - checked);
      checked = p.checked;
    });
    torrent.on('warning', ({ message }) => this.ctx.log.detail(`${r.name}: ${message}`));
    try {
      await torrent.start();
    } catch (err) {
      this.ctx.onError(this, (err as Error).message);
      return;
    }
    if (this.torrent !== torrent) return;
    this.startDiscovery(torrent, dht);
  }

  private startDiscovery(torrent: Torrent, dht: DhtNode | undefined): void {
    const port = this.ctx.listener.port;
    const tiers = this.meta?.announce.length ? this.meta.announce : this.record.extraTrackers.map((t) => [t]);
    if (tiers.length > 0) {
      const tracker = new TrackerClient({ infoHash: torrent.infoHash, peerId: torrent.peerId, port, tiers }, {
        stats: () => {
          const s = torrent.stats();
          return { uploaded: s.uploadedBytes, downloaded: s.downloadedBytes, left: s.wantedBytes - s.verifiedBytes };
        },
      });
      tiers.forEach((tier, i) => tier.forEach((url) => this.trackers.set(url, { url, tier: i, lastAnnounceAt: 0, lastResult: '', seeders: 0, leechers: 0 })));
      tracker.on('peers', ({ peers }) => torrent.addPeers(peers as PeerAddress[]));
      tracker.on('announce', ({ url, response }) => {
        const t = this.trackers.get(url);
        if (t) Object.assign(t, { lastAnnounceAt: Date.now(), lastResult: 'Success', seeders: response.complete ?? 0, leechers: response.incomplete ?? 0 });
      });
      tracker.on('error', ({ url, error }) => {
        const t = this.trackers.get(url);
        if (t) Object.assign(t, { lastAnnounceAt: Date.now(), lastResult: error.message });
      });
      tracker.on('warning', ({ url, message }) => this.ctx.log.warn(`tracker ${url}: ${message}`));
      tracker.start();
      this.tracker = tracker;
    }
    if (dht && !this.meta?.private) {
      this.dhtSource = new DhtPeerSource(dht, torrent.infoHash, {
        port,
        onPeers: (peers) => torrent.addPeers(peers),
        onError: (err) => this.ctx.log.detail(`dht: ${(err as Error).message}`),
        nextIntervalMs: () => (torrent.isDone ? 15 * 60_000 : torrent.peers.size === 0 ? 15_000 : 5 * 60_000),
      });
      this.dhtSource.start();
    }
  }

  /** A magnet's metadata arrived: kept in the database at once, so a restart never fetches it again. */
  private metadataArrived(meta: Metainfo): void {
    this.meta = meta;
    const torrent = torrentBytes(meta.infoBytes, this.record.extraTrackers);
    this.record.torrent = torrent;
    this.record.name = meta.name;
    this.ctx.store.updateTorrent(this.id, { torrent, name: meta.name });
    this.offline = progressOf(meta, undefined, this.record.filesWanted);
    this.ctx.onMetadata(this);
  }

  /** Stops the swarm (resume data saved by it), folding its byte counts into the record. */
  async stop(status: TorrentStatus = 'stopped'): Promise<void> {
    const torrent = this.torrent;
    this.status = status;
    if (!torrent) return this.stopping;
    this.torrent = undefined;
    this.foldCounters(torrent);
    if (torrent.picker) this.have = new Bitfield(torrent.picker.have.size, torrent.picker.have.bytes);
    if (this.meta) this.offline = progressOf(this.meta, this.have, this.record.filesWanted);
    const tracker = this.tracker;
    const dhtSource = this.dhtSource;
    this.tracker = undefined;
    this.dhtSource = undefined;
    this.stopping = (async () => {
      await Promise.all([tracker?.stop(), dhtSource?.stop()]);
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
    this.unsaved.up += up;
    this.unsaved.down += down;
  }

  /** The bytes folded since the last call: the checkpoint commits the record's totals and adds these to the session's. */
  takeUnsaved(): { up: number; down: number } {
    this.foldCounters();
    const out = this.unsaved;
    this.unsaved = { up: 0, down: 0 };
    return out;
  }

  summary(now = Date.now()): TorrentSummary {
    const r = this.record;
    const s = this.torrent?.stats();
    const wantedBytes = s?.wantedBytes || this.offline.wantedBytes;
    const verifiedBytes = s && s.state !== 'checking' && s.state !== 'metadata' ? s.verifiedBytes : this.offline.verifiedBytes;
    const pending = this.torrent ? { up: this.torrent.upMeter.total - this.countedUp, down: this.torrent.downMeter.total - this.countedDown } : { up: 0, down: 0 };
    const uploaded = r.uploaded + pending.up;
    const downloaded = r.downloaded + pending.down;
    void now;
    return {
      id: r.id,
      infoHash: r.infoHash,
      name: r.name,
      status: this.status,
      totalBytes: this.meta?.contentLengthBytes ?? 0,
      wantedBytes,
      verifiedBytes,
      progress: wantedBytes > 0 ? Math.min(1, verifiedBytes / wantedBytes) : 0,
      pieceCount: this.meta?.pieceCount ?? 0,
      piecesHave: s && s.state !== 'checking' ? s.piecesHave : this.offline.piecesHave,
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
      webSeedBytes: s?.webSeedBytes ?? 0,
      error: this.error,
    };
  }

  detail(): TorrentDetail {
    const meta = this.meta;
    const have = this.torrent?.picker?.have ?? this.have;
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
    return {
      ...this.summary(),
      files,
      peerList: this.peerList(),
      trackers: [...this.trackers.values()].map((t) => ({ ...t })),
      webSeeds: [...(meta?.urlList ?? []), ...this.record.extraWebSeeds],
      pieceLengthBytes: meta?.pieceLengthBytes ?? 0,
      piecesBitfield: have ? Buffer.from(have.bytes).toString('base64') : '',
      magnet: meta ? magnetFromMetainfo(meta) : (this.record.magnet ?? ''),
      comment: meta?.comment ?? '',
      isPrivate: meta?.private ?? false,
    };
  }

  private peerList(): TorrentPeerInfo[] {
    const t = this.torrent;
    if (!t) return [];
    const now = Date.now();
    const pieceCount = Math.max(1, this.meta?.pieceCount ?? 1);
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
