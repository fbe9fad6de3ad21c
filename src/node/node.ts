import { mkdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import type { DhtNode } from '../dht/index.js';
import { DEFAULT_LISTEN_HOSTS, makePeerId, PeerListener, TokenBucket, TypedEmitter } from '../swarm/index.js';
import { isTandemError } from '../util/errors.js';
import { NODE_DEFAULTS, defaultSettings } from './defaults.js';
import { NodeError } from './errors.js';
import { SILENT_LOG, type NodeLog } from './log.js';
import { lsdEnabled, NodeLsd } from './node-lsd.js';
import { moveInQueue, queueVerdicts, type QueueMove } from './queue.js';
import { seedLimitReached, seedRatioTarget } from './seed-limit.js';
import { checkSettings, mergeStored } from './settings.js';
import { AltSpeedSchedule, applyGlobalLimits } from './alt-speed.js';
import { changedFields } from './summary-changes.js';
import { NodeServers } from './servers.js';
import { NodeCompute } from './compute.js';
import { MemoryStore } from './memory-store.js';
import type { StateStore } from './state-store.js';
import { loadModule } from '../util/load-module.js';
import { TorrentEntry, type EntryContext } from './torrent-entry.js';
import { TorrentOps } from './torrent-ops.js';
import { dhtOptionsFor, startDhtNode, type DhtChoice } from './node-dht.js';
import type { NodeEvents, SessionSettings, SessionStats, SwarmEvents } from './types.js';
import { SessionTotals } from './session-totals.js';

/** Plain options of a node (STYLE.md 16). Settings given here override the stored ones for this run only. */
export interface NodeInit {
  /** Where the state database lives; absent for a one-shot node. */
  stateDir?: string;
  /**
   * A node that runs for one command (`tandem get`, `tandem share`): its database is in memory, resume data is kept
   * in `.tandem/` beside the data, a DHT that cannot start is an error rather than a warning, and a torrent's
   * failure is left to its `swarm:failed` event (the face says it) rather than logged.
   */
  oneShot?: boolean;
  /** The command line's DHT choice (`--no-dht`, `--dht-bootstrap`); else the `dht` setting with `dhtBootstrap`. */
  dht?: DhtChoice;
  /** `--lsd` (true) or `--no-lsd` (false); else the `lsd` setting, off under the test guard (`lsdEnabled`). */
  lsd?: boolean;
  settings?: Partial<SessionSettings>;
  /** Addresses the peer listener binds: every interface by default. */
  listenHosts?: string[];
  /** DHT nodes to start from instead of the public routers (tests always give them, or turn the DHT off). */
  dhtBootstrap?: string[];
  /** The folder the node's HTTP and TFTP servers serve unless told another. */
  serveDir?: string;
  log?: NodeLog;
}

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
  /** The compute project the node runs, if any (compute.ts). */
  readonly compute: NodeCompute;
  readonly torrents: TorrentOps;
  private listener!: PeerListener;
  private dht?: DhtNode;
  private lsd?: NodeLsd;
  private settings: SessionSettings;
  private readonly timers: NodeJS.Timeout[] = [];
  private order?: TorrentEntry[];
  /** Turns the alternative speeds on and off at the edges of their timetable. */
  private readonly altSpeedSchedule = new AltSpeedSchedule();
  /** Bytes moved this session and in all, rates, pieces hashed (session-totals.ts). */
  private readonly totals: SessionTotals;
  private stopped = false;

  private constructor(
    readonly init: NodeInit,
    readonly store: StateStore,
    readonly log: NodeLog,
  ) {
    super();
    this.settings = { ...mergeStored(defaultSettings(), store.getSettings()), ...checkSettings(init.settings ?? {}) };
    this.servers = new NodeServers((event, info) => this.emit(event, info), log);
    this.compute = new NodeCompute(log);
    this.torrents = new TorrentOps(this);
    this.totals = new SessionTotals(store);
  }

  /** Opens the state database (creating the state dir); a corrupt database is a NODE_STATE_CORRUPT naming the file. */
  static async open(init: NodeInit): Promise<Node> {
    if (init.oneShot) return new Node(init, new MemoryStore(), init.log ?? SILENT_LOG);
    if (!init.stateDir) throw new NodeError('NODE_BAD_ARGUMENT', 'a node needs a state directory unless it is one-shot', 'input');
    try {
      mkdirSync(init.stateDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new NodeError('NODE_STATE_DIR', `cannot create the state directory ${init.stateDir}: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    // SQLite (a native module) is loaded only by a node that keeps its state.
    const { NodeStore } = loadModule<typeof import('./store.js')>('./store.js', import.meta.url);
    const store = NodeStore.open(join(init.stateDir, NODE_DEFAULTS.databaseFile));
    return new Node(init, store, init.log ?? SILENT_LOG);
  }

  get serveDir(): string | undefined {
    return this.init.serveDir;
  }

  get peerPort(): number {
    return this.listener?.port ?? 0;
  }

  /** The addresses the peer listener is bound to (wildcards as given). */
  get listenHosts(): string[] {
    return [...(this.listener?.hosts ?? [])];
  }

  /** Verified pieces of every running torrent waiting to be written to disk. */
  get diskWritesPending(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.torrent?.downloader.writing ?? 0;
    return n;
  }

  get dhtNodeCount(): number {
    const nodes = this.dht?.stats().nodes;
    return nodes ? Object.values(nodes).reduce((a, b) => a + (b ?? 0), 0) : 0;
  }

  /** Binds the peer port, starts the DHT and LSD, loads every torrent and lets the queue start them. */
  async start(): Promise<void> {
    applyGlobalLimits(this.settings, this.downloadLimit, this.uploadLimit);
    this.listener = new PeerListener({
      hosts: [...(this.init.listenHosts ?? DEFAULT_LISTEN_HOSTS)],
      port: this.settings.peerPort,
      handshakeTimeoutMs: 10_000,
      encryption: this.settings.encryption,
      // `get` and `share` have always said `warning:` for these; the daemon's log names the component.
      warn: (m) => this.log.detail(`${this.init.oneShot ? 'warning' : 'peer'}: ${m}`),
    });
    await this.listener.start();
    await this.startDht();
    const ctx = this.entryContext();
    for (const record of this.store.listTorrents()) {
      try {
        this.addEntry(new TorrentEntry(record, ctx));
      } catch (err) {
        this.warn(`torrent ${record.id} (${record.name}) cannot be loaded: ${(err as Error).message}`);
      }
    }
    if (this.settings.lsd && lsdEnabled(this.init.lsd)) await this.startLsd();
    this.schedule();
    this.timers.push(setInterval(() => this.tick(), NODE_DEFAULTS.statsIntervalMs));
    this.timers.push(setInterval(() => this.checkpoint(), NODE_DEFAULTS.checkpointIntervalMs));
    for (const t of this.timers) t.unref();
  }

  /** The DHT, started before any torrent so that their first handshakes carry the DHT bit (BEP 5). */
  private async startDht(): Promise<void> {
    const options = dhtOptionsFor(this.init.dht ?? { enabled: this.settings.dht, bootstrap: this.init.dhtBootstrap ?? [] });
    if (!options) return;
    // A one-shot node keeps its routing table where `dhtOptionsFor` says (the user's state dir, when any).
    const statePath = this.init.stateDir ? join(this.init.stateDir, 'dht.json') : options.statePath;
    try {
      this.dht = await startDhtNode({ ...options, statePath }, this.log);
    } catch (err) {
      if (this.init.oneShot) throw err;
      this.warn(`dht: not started: ${(err as Error).message}`);
    }
  }

  private async startLsd(): Promise<void> {
    const listener = this.listener;
    const running = (): TorrentEntry[] => [...this.entries.values()].filter((e) => e.running && !e.meta?.private);
    this.lsd = new NodeLsd(
      {
        hosts: listener.hosts,
        port: listener.port,
        announced: () => running().map((e) => Buffer.from(e.infoHash, 'hex')),
        addPeer: (infoHash, peer) => this.entryByHash(infoHash)?.torrent?.addPeers([peer]),
        downloading: () => running().some((e) => !e.complete),
      },
      this.log,
    );
    await this.lsd.start();
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
      resumeInDatabase: !this.init.oneShot,
      log: this.log,
      emit: (event, detail) => this.swarmEvent(event, detail),
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
      onHashed: (n) => void (this.totals.piecesHashed += n),
      onError: (e, error, starting) => {
        e.error = error.message;
        const typed = isTandemError(error) ? { code: error.code, kind: error.kind } : { code: 'NODE_SWARM', kind: 'runtime' as const };
        this.emit('swarm:failed', { id: e.id, message: error.message, ...typed, starting });
        if (!this.init.oneShot) this.warn(`${e.record.name}: ${error.message}`, e.infoHash);
        void e.stop('error');
        this.changed(e);
      },
    };
  }

  /** A swarm's event, passed on; the daemon's log also gets the lines a person reads (a one-shot face says them itself). */
  private swarmEvent<K extends keyof SwarmEvents>(event: K, detail: SwarmEvents[K]): void {
    this.emit(event, detail as NodeEvents[K]);
    if (this.init.oneShot) return;
    const d = detail as Partial<SwarmEvents['tracker:warning']>;
    if (event === 'tracker:warning') this.log.warn(`tracker ${d.url}: ${d.message}`);
    if (event === 'swarm:warning') this.log.detail(`${this.entries.get(detail.id)?.record.name ?? detail.id}: ${d.message}`);
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
      ordered.map((e) => ({ paused: e.record.paused, complete: e.complete, failed: e.status === 'error', metadataOnly: e.stopAfterMetadata && !e.hasMeta })),
      this.settings.maxActiveDownloads,
      this.settings.maxActiveSeeds,
    );
    ordered.forEach((e, i) => {
      const verdict = verdicts[i]!;
      if (verdict === 'run') {
        if (!e.running) {
          void e.start().then(() => {
            this.changed(e);
            // A torrent that starts is announced on the LAN at once, not at the next refresh.
            this.lsd?.refresh();
          });
        }
      } else if (e.running) void e.stop(verdict).then(() => this.changed(e));
      else if (e.status !== 'error' && e.status !== verdict) {
        e.status = verdict;
        this.changed(e);
      }
    });
  }

  /** Entries in queue order (cached: an add appends, and only a move or a removal sorts again). */
  ordered(): TorrentEntry[] {
    this.order ??= [...this.entries.values()].sort((a, b) => a.record.queuePosition - b.record.queuePosition || a.id - b.id);
    return this.order;
  }

  /** The queue position after the last one. */
  nextQueuePosition(): number {
    const last = this.ordered().at(-1);
    return last ? last.record.queuePosition + 1 : 0;
  }

  addEntry(e: TorrentEntry): void {
    this.entries.set(e.id, e);
    if (this.order && (this.order.at(-1)?.record.queuePosition ?? -1) <= e.record.queuePosition) this.order.push(e);
    else this.order = undefined;
  }

  deleteEntry(e: TorrentEntry): void {
    this.entries.delete(e.id);
    this.order = undefined;
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
    this.order = undefined;
    this.schedule();
    for (const id of order) this.changed(this.entries.get(id)!);
  }

  entryByHash(infoHash: string): TorrentEntry | undefined {
    for (const e of this.entries.values()) if (e.infoHash === infoHash) return e;
    return undefined;
  }

  /**
   * Emits the fields of a torrent that changed since its last event. A running torrent keeps its last summary to
   * compare with every second; an idle one keeps none (10,000 idle torrents cost no summaries), so its next change
   * carries every field.
   */
  changed(e: TorrentEntry): void {
    e.forgetText();
    if (!this.entries.has(e.id)) return;
    const now = e.summary();
    const before = e.lastSummary;
    e.lastSummary = e.running ? now : undefined;
    const changes = before ? changedFields(before, now) : now;
    if (changes) this.emit('torrent:changed', { id: e.id, infoHash: e.infoHash, changes });
  }

  /** Announces a new torrent (the API answers after this). */
  added(e: TorrentEntry): void {
    const summary = e.summary();
    if (e.running) e.lastSummary = summary;
    this.emit('torrent:added', { torrent: summary });
  }

  removed(e: TorrentEntry): void {
    this.emit('torrent:removed', { id: e.id, infoHash: e.infoHash });
  }

  createProgress(p: NodeEvents['create:progress']): void {
    this.emit('create:progress', p);
  }

  warn(message: string, infoHash?: string): void {
    this.log.warn(message);
    this.emit('warning', infoHash ? { message, infoHash } : { message });
  }

  private tick(): void {
    const alt = this.altSpeedSchedule.check(this.settings, new Date());
    if (alt !== undefined) {
      this.log.detail(`alternative speeds ${alt ? 'on' : 'off'}: the timetable says so`);
      this.setSettings({ altSpeedEnabled: alt });
    }
    let down = 0;
    let up = 0;
    const finished: TorrentEntry[] = [];
    for (const e of this.entries.values()) {
      if (!e.running) continue;
      const s = e.summary();
      down += s.downloadRateBytesPerSec;
      up += s.uploadRateBytesPerSec;
      if (seedLimitReached({ complete: e.complete, ratio: s.ratio }, this.seedRatioTarget(e))) finished.push(e);
      else this.changed(e);
    }
    this.totals.rates = { down, up };
    if (finished.length === 0) return;
    for (const e of finished) this.log.detail(`${e.record.name}: seed ratio ${this.seedRatioTarget(e)} reached, stopped`);
    this.torrents.pause(finished.map((e) => e.id));
  }

  /** The ratio at which a finished torrent stops seeding, or undefined when it seeds on. */
  seedRatioTarget(e: TorrentEntry): number | undefined {
    return seedRatioTarget(e.record.seedRatioMode, e.record.seedRatio, this.settings.seedRatioLimit);
  }

  /** Commits every torrent's new byte totals, and the session's, in one transaction. */
  checkpoint(): void {
    this.totals.checkpoint(this.entries.values());
  }

  /**
   * Reserves `count` event sequence numbers in the database, committed before any is used, and returns the first.
   * Each run (and each block) starts after every number handed out before, crashes included.
   */
  reserveEventSeqs(count: number): number {
    const first = (this.store.getCounters().eventSeqReserved ?? 0) + 1;
    this.store.addCounters({ eventSeqReserved: count });
    return first;
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
    applyGlobalLimits(this.settings, this.downloadLimit, this.uploadLimit);
    this.schedule();
    this.emit('session:changed', { settings: this.getSettings() });
    return this.getSettings();
  }

  stats(): SessionStats {
    return this.totals.stats(this.entries, this.dhtNodeCount);
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
    await this.compute.stop();
    await this.lsd?.stop();
    await this.dht?.stop();
    await this.listener?.stop();
    this.store.close();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
