import { mkdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { DhtNode } from '../dht/index.js';
import { DEFAULT_LISTEN_HOSTS, makePeerId, PeerListener, TokenBucket, TypedEmitter } from '../swarm/index.js';
import { NODE_DEFAULTS, defaultSettings } from './defaults.js';
import { NodeError } from './errors.js';
import { SILENT_LOG, type NodeLog } from './log.js';
import { NodeLsd } from './node-lsd.js';
import { moveInQueue, queueVerdicts, type QueueMove } from './queue.js';
import { checkSettings, mergeStored } from './settings.js';
import { NodeServers } from './servers.js';
import { NodeStore } from './store.js';
import { TorrentEntry, type EntryContext } from './torrent-entry.js';
import { TorrentOps } from './torrent-ops.js';
import { dhtOptionsFor } from './torrent-dht.js';
import type { NodeEvents, SessionSettings, SessionStats, TorrentSummary } from './types.js';
import { VERSION } from '../util/version.js';

/** Plain options of a node (STYLE.md 16). Settings given here override the stored ones for this run only. */
export interface NodeInit {
  stateDir: string;
  settings?: Partial<SessionSettings>;
  /** Addresses the peer listener binds: every interface by default. */
  listenHosts?: string[];
  /** DHT nodes to start from instead of the public routers (tests always give them, or turn the DHT off). */
  dhtBootstrap?: string[];
  /** The folder the node's HTTP and TFTP servers serve unless told another. */
  serveDir?: string;
  log?: NodeLog;
}

/** Ids as the API takes them: integer ids, info-hash prefixes (4+ hex digits), or 'all'. */
export type IdSelector = number | string | (number | string)[] | 'all';

/**
 * The node: one session for many torrents and the servers it runs. It owns one peer listener (one TCP port, each
 * handshake dispatched by info hash), one DHT node, LSD, the global limits, the queue and the state database.
 * Every face (CLI, control API, web UI) goes through this API.
 *
 * @example
 *   const node = await Node.open({ stateDir: '/var/lib/tandem' });
 *   await node.start();
 *   const { torrent } = await node.add({ source: 'magnet:?xt=urn:btih:…' });
 *   node.on('torrent:changed', ({ id, changes }) => console.log(id, changes));
 */
export class Node extends TypedEmitter<NodeEvents> {
  readonly peerId = makePeerId();
  readonly downloadLimit = new TokenBucket(0);
  readonly uploadLimit = new TokenBucket(0);
  readonly entries = new Map<number, TorrentEntry>();
  readonly servers: NodeServers;
  readonly torrents: TorrentOps;
  private listener!: PeerListener;
  private dht?: DhtNode;
  private lsd?: NodeLsd;
  private settings: SessionSettings;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly startedAt = Date.now();
  private piecesHashed = 0;
  private sessionUp = 0;
  private sessionDown = 0;
  private lastRates = { down: 0, up: 0 };
  private stopped = false;

  private constructor(
    readonly init: NodeInit,
    readonly store: NodeStore,
    readonly log: NodeLog,
  ) {
    super();
    this.settings = { ...mergeStored(defaultSettings(), store.getSettings()), ...checkSettings(init.settings ?? {}) };
    this.servers = new NodeServers((event, info) => this.emit(event, info), log);
    this.torrents = new TorrentOps(this);
  }

  /** Opens the state database (creating the state dir); a corrupt database is a NODE_STATE_CORRUPT naming the file. */
  static async open(init: NodeInit): Promise<Node> {
    try {
      mkdirSync(init.stateDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new NodeError('NODE_STATE_DIR', `cannot create the state directory ${init.stateDir}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    const store = NodeStore.open(join(init.stateDir, NODE_DEFAULTS.databaseFile));
    return new Node(init, store, init.log ?? SILENT_LOG);
  }

  get serveDir(): string | undefined {
    return this.init.serveDir;
  }

  get peerPort(): number {
    return this.listener?.port ?? 0;
  }

  get dhtNodeCount(): number {
    const nodes = this.dht?.stats().nodes;
    return nodes ? Object.values(nodes).reduce((a, b) => a + (b ?? 0), 0) : 0;
  }

  /** Binds the peer port, starts the DHT and LSD, loads every torrent and lets the queue start them. */
  async start(): Promise<void> {
    this.downloadLimit.setRate(this.settings.downloadLimitBytesPerSec);
    this.uploadLimit.setRate(this.settings.uploadLimitBytesPerSec);
    this.listener = new PeerListener({
      hosts: [...(this.init.listenHosts ?? DEFAULT_LISTEN_HOSTS)],
      port: this.settings.peerPort,
      handshakeTimeoutMs: 10_000,
      encryption: this.settings.encryption,
      warn: (m) => this.log.detail(`peer: ${m}`),
    });
    await this.listener.start();
    if (this.settings.dht) await this.startDht();
    const ctx = this.entryContext();
    for (const record of this.store.listTorrents()) {
      try {
        this.entries.set(record.id, new TorrentEntry(record, ctx));
      } catch (err) {
        this.warn(`torrent ${record.id} (${record.name}) cannot be loaded: ${(err as Error).message}`);
      }
    }
    if (this.settings.lsd) {
      this.lsd = new NodeLsd(this.listener, (infoHash) => this.entryByHash(infoHash)?.torrent, this.log, () =>
        [...this.entries.values()].filter((e) => e.running && !e.meta?.private).map((e) => Buffer.from(e.infoHash, 'hex')),
      );
      await this.lsd.start();
    }
    this.schedule();
    this.timers.push(setInterval(() => this.tick(), NODE_DEFAULTS.statsIntervalMs));
    this.timers.push(setInterval(() => this.checkpoint(), NODE_DEFAULTS.checkpointIntervalMs));
    for (const t of this.timers) t.unref();
  }

  private async startDht(): Promise<void> {
    const options = dhtOptionsFor({ enabled: true, bootstrap: this.init.dhtBootstrap ?? [] });
    if (!options) return;
    const dht = new DhtNode({ ...options, statePath: join(this.init.stateDir, 'dht.json') });
    try {
      await dht.start();
      this.dht = dht;
    } catch (err) {
      this.warn(`dht: not started: ${(err as Error).message}`);
    }
  }

  private entryContext(): EntryContext {
    return {
      store: this.store,
      listener: this.listener,
      peerId: this.peerId,
      downloadLimit: this.downloadLimit,
      uploadLimit: this.uploadLimit,
      dht: () => this.dht,
      encryption: this.settings.encryption,
      log: this.log,
      onMetadata: (e) => {
        if (e.stopAfterMetadata) {
          e.stopAfterMetadata = false;
          void e.stop('stopped');
        }
        this.changed(e);
      },
      onDone: (e) => {
        if (e.record.completedAt === 0) {
          e.record.completedAt = Date.now();
          this.store.updateTorrent(e.id, { completedAt: e.record.completedAt });
        }
        this.schedule();
        this.changed(e);
      },
      onHashed: (n) => void (this.piecesHashed += n),
      onError: (e, message) => {
        e.error = message;
        this.warn(`${e.record.name}: ${message}`, e.infoHash);
        void e.stop('error');
        this.changed(e);
      },
    };
  }

  /** A fresh context for new entries (the listener exists only after start). */
  newEntryContext(): EntryContext {
    return this.entryContext();
  }

  /** Starts what the queue says may run and stops what may not. */
  schedule(): void {
    if (this.stopped) return;
    const ordered = this.ordered();
    const verdicts = queueVerdicts(
      ordered.map((e) => ({ paused: e.record.paused, complete: e.complete, failed: e.status === 'error', metadataOnly: e.stopAfterMetadata && !e.meta })),
      this.settings.maxActiveDownloads,
      this.settings.maxActiveSeeds,
    );
    ordered.forEach((e, i) => {
      const verdict = verdicts[i]!;
      if (verdict === 'run') {
        if (!e.running) void e.start().then(() => this.changed(e));
      } else if (e.running) void e.stop(verdict).then(() => this.changed(e));
      else if (e.status !== 'error') e.status = verdict;
    });
  }

  /** Entries in queue order. */
  ordered(): TorrentEntry[] {
    return [...this.entries.values()].sort((a, b) => a.record.queuePosition - b.record.queuePosition || a.id - b.id);
  }

  queueMove(ids: number[], to: QueueMove): void {
    const order = moveInQueue(this.ordered().map((e) => e.id), new Set(ids), to);
    this.store.transaction(() => {
      order.forEach((id, position) => {
        const e = this.entries.get(id)!;
        if (e.record.queuePosition !== position) {
          e.record.queuePosition = position;
          this.store.updateTorrent(id, { queuePosition: position });
        }
      });
    });
    this.schedule();
    for (const id of order) this.changed(this.entries.get(id)!);
  }

  entryByHash(infoHash: string): TorrentEntry | undefined {
    for (const e of this.entries.values()) if (e.infoHash === infoHash) return e;
    return undefined;
  }

  /** Emits the fields of a torrent that changed since its last event. */
  changed(e: TorrentEntry): void {
    if (!this.entries.has(e.id)) return;
    const now = e.summary();
    const before = e.lastSummary;
    e.lastSummary = now;
    if (!before) return;
    const changes: Partial<TorrentSummary> = {};
    let any = false;
    for (const key of Object.keys(now) as (keyof TorrentSummary)[]) {
      const a = now[key];
      const b = before[key];
      if (a === b || (Array.isArray(a) && Array.isArray(b) && a.join('\u0000') === b.join('\u0000'))) continue;
      (changes as Record<string, unknown>)[key] = a;
      any = true;
    }
    if (any) this.emit('torrent:changed', { id: e.id, infoHash: e.infoHash, changes });
  }

  /** Announces a new torrent (the API answers after this). */
  added(e: TorrentEntry): void {
    e.lastSummary = e.summary();
    this.emit('torrent:added', { torrent: e.lastSummary });
  }

  removed(e: TorrentEntry): void {
    this.emit('torrent:removed', { id: e.id, infoHash: e.infoHash });
  }

  warn(message: string, infoHash?: string): void {
    this.log.warn(message);
    this.emit('warning', infoHash ? { message, infoHash } : { message });
  }

  private tick(): void {
    let down = 0;
    let up = 0;
    for (const e of this.entries.values()) {
      if (!e.running && e.lastSummary && e.lastSummary.status === e.status) continue;
      const s = e.summary();
      down += s.downloadRateBytesPerSec;
      up += s.uploadRateBytesPerSec;
      this.changed(e);
    }
    this.lastRates = { down, up };
  }

  /** Commits every torrent's new byte totals, and the session's, in one transaction. */
  checkpoint(): void {
    const updates: { id: number; changes: { uploaded: number; downloaded: number } }[] = [];
    let up = 0;
    let down = 0;
    for (const e of this.entries.values()) {
      const d = e.takeUnsaved();
      if (d.up === 0 && d.down === 0) continue;
      up += d.up;
      down += d.down;
      updates.push({ id: e.id, changes: { uploaded: e.record.uploaded, downloaded: e.record.downloaded } });
    }
    this.sessionUp += up;
    this.sessionDown += down;
    if (updates.length === 0) return;
    this.store.transaction(() => {
      this.store.updateMany(updates);
      this.store.addCounters({ uploadedBytes: up, downloadedBytes: down });
    });
  }

  getSettings(): SessionSettings {
    return { ...this.settings };
  }

  /** Changes settings: checked, committed, applied (limits and queue at once; the peer port at the next start). */
  setSettings(values: Record<string, unknown>): SessionSettings {
    const changes = checkSettings(values);
    if (changes.downloadDir) changes.downloadDir = resolvePath(changes.downloadDir);
    this.store.setSettings(changes);
    this.settings = { ...this.settings, ...changes };
    this.downloadLimit.setRate(this.settings.downloadLimitBytesPerSec);
    this.uploadLimit.setRate(this.settings.uploadLimitBytesPerSec);
    this.schedule();
    this.emit('session:changed', { settings: this.getSettings() });
    return this.getSettings();
  }

  stats(): SessionStats {
    const counters = this.store.getCounters();
    let active = 0;
    let paused = 0;
    for (const e of this.entries.values()) {
      if (e.running) active++;
      if (e.record.paused) paused++;
    }
    const pendingUp = [...this.entries.values()].reduce((n, e) => n + (e.torrent ? e.summary().uploadedBytes - e.record.uploaded : 0), 0);
    const pendingDown = [...this.entries.values()].reduce((n, e) => n + (e.torrent ? e.summary().downloadedBytes - e.record.downloaded : 0), 0);
    return {
      torrentCount: this.entries.size,
      activeTorrentCount: active,
      pausedTorrentCount: paused,
      downloadRateBytesPerSec: this.lastRates.down,
      uploadRateBytesPerSec: this.lastRates.up,
      sessionDownloadedBytes: this.sessionDown + pendingDown,
      sessionUploadedBytes: this.sessionUp + pendingUp,
      cumulativeDownloadedBytes: (counters.downloadedBytes ?? 0) + pendingDown,
      cumulativeUploadedBytes: (counters.uploadedBytes ?? 0) + pendingUp,
      secondsActive: Math.floor((Date.now() - this.startedAt) / 1000),
      dhtNodes: this.dhtNodeCount,
      piecesHashed: this.piecesHashed,
      version: VERSION,
    };
  }

  /** Stops every torrent (their resume data saved), the servers, DHT and LSD, then commits and closes the database. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    // Each torrent stops as it stands (status kept), so a restart brings back the same picture.
    await Promise.all([...this.entries.values()].map((e) => e.stop(e.status)));
    this.checkpoint();
    await this.servers.stopAll();
    await this.lsd?.stop();
    await this.dht?.stop();
    await this.listener?.stop();
    this.store.close();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
