import { rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { createTorrent, sharedHashPool, type Metainfo } from '../metainfo/index.js';
import { VERSION } from '../util/version.js';
import { filePath, snapshotResume, verifyOnDisk } from '../storage/index.js';
import { createProgressReporter, type CreateProgress } from './create-progress.js';
import { NodeError } from './errors.js';
import type { QueueMove } from './queue.js';
import { SEED_RATIO_MODES, seedLimitReached, type SeedRatioMode } from './seed-limit.js';
import type { SessionSettings } from './types.js';
import { fromTorrentBytes, resolveSource, type AddSource } from './sources.js';
import type { StateStore, TorrentRecord } from './state-store.js';
import { TorrentEntry, type EntryContext } from './torrent-entry.js';
import type { AddOptions, AddResult, IdSelector, TorrentChanges, TorrentDetail, TorrentSummary } from './types.js';

/** What the operations need of the node that owns the torrents (`Node` is one). */
export interface OpsHost {
  readonly store: StateStore;
  readonly entries: Map<number, TorrentEntry>;
  readonly isStopped: boolean;
  getSettings(): SessionSettings;
  seedRatioTarget(e: TorrentEntry): number | undefined;
  newEntryContext(): EntryContext;
  entryByHash(infoHash: string): TorrentEntry | undefined;
  /** Entries in queue order. */
  ordered(): TorrentEntry[];
  nextQueuePosition(): number;
  /** Commits byte totals now. */
  checkpoint(): void;
  addEntry(e: TorrentEntry): void;
  deleteEntry(e: TorrentEntry): void;
  schedule(): void;
  queueMove(ids: number[], to: QueueMove): void;
  added(e: TorrentEntry): void;
  changed(e: TorrentEntry): void;
  removed(e: TorrentEntry): void;
  /** Emits a `create:progress` event. */
  createProgress(p: CreateProgress): void;
}

export interface CreateRequest {
  path: string;
  trackers?: string[];
  webSeeds?: string[];
  private?: boolean;
  pieceLengthBytes?: number;
  /** v1 and v2 together (BEP 52); v1 alone by default. */
  hybrid?: boolean;
  /** Add the new torrent to the node and seed it from the path. */
  seed?: boolean;
  /** A name for this creation, carried by its `create:progress` events. */
  job?: string;
  signal?: AbortSignal;
}

const MAX_LABELS = 32;
const MAX_LABEL_CHARS = 128;

/** The node's torrent operations (add, list, pause, …): one method per library call, each committed before it returns. */
export class TorrentOps {
  constructor(private readonly node: OpsHost) {}

  async add(options: AddOptions): Promise<AddResult> {
    this.alive();
    let source: AddSource;
    if (options.metainfo) source = fromTorrentBytes(options.metainfo, 'metainfo');
    else if (options.source) source = await resolveSource(options.source, options.signal);
    else throw new NodeError('NODE_BAD_ARGUMENT', 'add needs a source (magnet, URL or .torrent path) or metainfo', 'input');
    this.alive();
    const infoHash = source.kind === 'torrent' ? source.meta.infoHashV1!.toString('hex') : source.infoHash;
    const existing = this.node.entryByHash(infoHash);
    if (existing) return { torrent: existing.summary(), duplicate: true };
    const labels = checkLabels(options.labels ?? []);
    const only = options.onlyFiles ?? (source.kind === 'magnet' ? source.selectOnly : undefined);
    if (only && source.kind === 'torrent') checkFileIndexes(only, source.meta.files.length);
    const position = this.node.nextQueuePosition();
    const record: Omit<TorrentRecord, 'id' | 'hasTorrent'> = {
      infoHash,
      name: source.kind === 'torrent' ? source.meta.name : (source.name ?? infoHash),
      torrent: source.kind === 'torrent' ? source.bytes : null,
      magnet: source.kind === 'magnet' ? source.uri : null,
      savePath: resolvePath(options.savePath ?? this.node.getSettings().downloadDir),
      paused: Boolean(options.paused),
      labels,
      filesWanted: only ? [...new Set(only)].sort((a, b) => a - b) : null,
      priorities: {},
      sequential: Boolean(options.sequential),
      downLimit: checkRate(options.downloadLimitBytesPerSec ?? 0),
      upLimit: checkRate(options.uploadLimitBytesPerSec ?? 0),
      seedRatio: 0,
      seedRatioMode: 'global',
      queuePosition: position,
      addedAt: Date.now(),
      completedAt: 0,
      uploaded: 0,
      downloaded: 0,
      extraPeers: [...(source.kind === 'magnet' ? source.peers : []), ...checkPeers(options.peers ?? [])],
      extraTrackers: source.kind === 'magnet' ? source.trackers : [],
      extraWebSeeds: source.kind === 'magnet' ? source.webSeeds : [],
      webSeedBytes: {},
      totalBytes: 0,
      pieceCount: 0,
      wantedBytes: 0,
      verifiedBytes: 0,
      piecesHave: 0,
    };
    const id = this.node.store.insertTorrent(record);
    const entry = new TorrentEntry({ id, ...record }, this.node.newEntryContext());
    entry.runOptions = options.swarm;
    entry.loadOffline();
    entry.releaseMeta();
    // A magnet added paused fetches its metadata, then stops: its files can be chosen before anything downloads.
    if (record.paused && !entry.hasMeta) entry.stopAfterMetadata = true;
    this.node.addEntry(entry);
    this.node.added(entry);
    this.node.schedule();
    return { torrent: entry.summary(), duplicate: false };
  }

  list(): TorrentSummary[] {
    return this.node.ordered().map((e) => e.summary());
  }

  get(id: number | string): TorrentDetail {
    return this.resolve(id)[0]!.detail();
  }

  /** The entries an id selector names; an id or prefix that names nothing (or several) is NODE_NOT_FOUND. */
  resolve(ids: IdSelector): TorrentEntry[] {
    if (ids === 'all') return this.node.ordered();
    const list = Array.isArray(ids) ? ids : [ids];
    const out = new Map<number, TorrentEntry>();
    for (const id of list) {
      const e = this.find(id);
      out.set(e.id, e);
    }
    return [...out.values()];
  }

  /** An integer id; or a string: an id when one matches, else an info-hash prefix (4 to 40 hex digits). */
  private find(id: number | string): TorrentEntry {
    const text = String(id).toLowerCase();
    if (typeof id === 'number' || /^\d{1,9}$/.test(text)) {
      const e = this.node.entries.get(Number(id));
      if (e) return e;
      if (typeof id === 'number' || text.length < 4) throw new NodeError('NODE_NOT_FOUND', `no torrent with id ${id}`, 'input');
    }
    if (!/^[0-9a-f]{4,40}$/.test(text)) throw new NodeError('NODE_BAD_ARGUMENT', `"${id}" is neither an id nor an info-hash prefix (4 to 40 hex digits)`, 'input');
    const found = [...this.node.entries.values()].filter((e) => e.infoHash.startsWith(text));
    if (found.length === 1) return found[0]!;
    throw new NodeError('NODE_NOT_FOUND', found.length === 0 ? `no torrent with id or info hash ${text}` : `${text} names ${found.length} torrents; give more digits`, 'input');
  }

  pause(ids: IdSelector): number[] {
    const entries = this.resolve(ids);
    this.node.store.transaction(() => entries.forEach((e) => this.node.store.updateTorrent(e.id, { paused: true })));
    for (const e of entries) {
      e.record.paused = true;
      e.stopAfterMetadata = false;
    }
    this.node.schedule();
    entries.forEach((e) => this.node.changed(e));
    return entries.map((e) => e.id);
  }

  /**
   * Starts torrents again. One that already reached its seed ratio seeds on without a limit from now (Transmission
   * does the same: a person who starts a finished torrent by hand wants it to seed).
   */
  resume(ids: IdSelector): number[] {
    const entries = this.resolve(ids);
    const unlimited = entries.filter((e) => seedLimitReached({ complete: e.complete, ratio: e.summary().ratio }, this.node.seedRatioTarget(e)));
    this.node.store.transaction(() => {
      entries.forEach((e) => this.node.store.updateTorrent(e.id, { paused: false }));
      unlimited.forEach((e) => this.node.store.updateTorrent(e.id, { seedRatioMode: 'unlimited' }));
    });
    for (const e of unlimited) e.record.seedRatioMode = 'unlimited';
    for (const e of entries) {
      e.record.paused = false;
      if (e.status === 'error') e.status = 'stopped';
    }
    this.node.schedule();
    entries.forEach((e) => this.node.changed(e));
    return entries.map((e) => e.id);
  }

  /** Announces running torrents to their trackers and the DHT now, rather than at the next interval. */
  reannounce(ids: IdSelector): number[] {
    const entries = this.resolve(ids);
    for (const e of entries) e.reannounce();
    return entries.map((e) => e.id);
  }

  /** Hashes the data again: a running torrent restarts without its resume data; a stopped one is hashed in place. */
  async verify(ids: IdSelector): Promise<number[]> {
    const entries = this.resolve(ids);
    for (const e of entries) {
      this.node.store.deleteResume(e.id);
      if (e.running) {
        await e.stop('checking');
        this.node.schedule();
      } else if (e.meta) {
        e.status = 'checking';
        this.node.changed(e);
        const have = await verifyOnDisk(e.record.savePath, e.meta, sharedHashPool());
        const data = await snapshotResume(e.record.savePath, e.meta, Buffer.from(e.infoHash, 'hex'), have);
        if (!this.node.entries.has(e.id)) continue;
        this.node.store.saveResume(e.id, Buffer.from(data.bitfield.bytes), data.files.map((f) => f ?? null));
        e.loadOffline();
        e.status = e.record.paused ? 'stopped' : 'queued';
        this.node.schedule();
      }
      this.node.changed(e);
    }
    return entries.map((e) => e.id);
  }

  /** Removes torrents from the node; with `deleteData`, their files too (only the torrent's own files, then empty folders). */
  async remove(ids: IdSelector, deleteData = false): Promise<number[]> {
    const entries = this.resolve(ids);
    // The file list is read before the record (and the .torrent in it) leaves the database.
    const metas = deleteData ? entries.map((e) => e.meta) : [];
    // Bytes the torrents moved stay in the session's totals after they are gone.
    this.node.checkpoint();
    this.node.store.transaction(() => entries.forEach((e) => this.node.store.deleteTorrent(e.id)));
    for (const e of entries) {
      this.node.deleteEntry(e);
      this.node.removed(e);
    }
    await Promise.all(entries.map((e) => e.stop()));
    for (const [i, meta] of metas.entries()) if (meta) await deleteFiles(entries[i]!, meta);
    this.node.schedule();
    return entries.map((e) => e.id);
  }

  async set(ids: IdSelector, changes: TorrentChanges): Promise<number[]> {
    const entries = this.resolve(ids);
    const restart: TorrentEntry[] = [];
    for (const e of entries) {
      const r = e.record;
      const update: Partial<TorrentRecord> = {};
      if (changes.labels !== undefined) update.labels = checkLabels(changes.labels);
      if (changes.sequential !== undefined && changes.sequential !== r.sequential) update.sequential = Boolean(changes.sequential);
      if (changes.downloadLimitBytesPerSec !== undefined) update.downLimit = checkRate(changes.downloadLimitBytesPerSec);
      if (changes.uploadLimitBytesPerSec !== undefined) update.upLimit = checkRate(changes.uploadLimitBytesPerSec);
      if (changes.seedRatioLimit !== undefined) update.seedRatio = checkRatio(changes.seedRatioLimit);
      if (changes.seedRatioMode !== undefined) update.seedRatioMode = checkRatioMode(changes.seedRatioMode);
      const files = wantedAfter(e, changes);
      if (files !== undefined) update.filesWanted = files;
      const priorities = prioritiesAfter(e, changes);
      if (priorities) update.priorities = priorities;
      this.node.store.updateTorrent(e.id, update);
      Object.assign(r, update);
      if (update.downLimit !== undefined) e.torrent?.ownDown.setRate(update.downLimit);
      if (update.upLimit !== undefined) e.torrent?.ownUp.setRate(update.upLimit);
      if (update.filesWanted !== undefined) e.loadOffline();
      if (update.priorities) e.torrent?.setFilePriorities(update.priorities);
      // The swarm takes its file selection and order at start: a running torrent restarts (its resume data
      // makes that cheap: nothing is hashed again).
      if ((update.filesWanted !== undefined || update.sequential !== undefined) && e.running) restart.push(e);
    }
    for (const e of restart) await e.stop('queued');
    if (restart.length > 0) this.node.schedule();
    entries.forEach((e) => this.node.changed(e));
    return entries.map((e) => e.id);
  }

  /** Moves torrents to a new save path for future writes (files already on disk are not moved). */
  async setLocation(ids: IdSelector, location: string): Promise<number[]> {
    const entries = this.resolve(ids);
    const savePath = resolvePath(location);
    for (const e of entries) {
      const wasRunning = e.running;
      if (wasRunning) await e.stop('queued');
      e.record.savePath = savePath;
      this.node.store.updateTorrent(e.id, { savePath });
      this.node.store.deleteResume(e.id);
      e.loadOffline();
    }
    this.node.schedule();
    entries.forEach((e) => this.node.changed(e));
    return entries.map((e) => e.id);
  }

  /** Makes a .torrent of a path on the node's disk; with `seed`, adds it so the node seeds it from where it is. */
  async create(o: CreateRequest): Promise<{ bytes: Buffer; torrent?: TorrentSummary }> {
    this.alive();
    const path = resolvePath(o.path);
    const created = await createTorrent(path, {
      version: o.hybrid ? 'hybrid' : 'v1',
      trackers: o.trackers,
      webSeeds: o.webSeeds,
      private: o.private,
      pieceLengthBytes: o.pieceLengthBytes,
      createdBy: `tandem ${VERSION}`,
      signal: o.signal,
      onProgress: createProgressReporter((p) => this.node.createProgress(p), o.job ?? '', path),
    });
    if (!o.seed) return { bytes: created.bytes };
    const { torrent } = await this.add({ metainfo: created.bytes, savePath: dirname(path) });
    return { bytes: created.bytes, torrent };
  }

  queueMove(ids: IdSelector, to: QueueMove): number[] {
    const entries = this.resolve(ids);
    this.node.queueMove(entries.map((e) => e.id), to);
    return entries.map((e) => e.id);
  }

  private alive(): void {
    if (this.node.isStopped) throw new NodeError('NODE_STOPPED', 'the node is stopping', 'runtime');
  }
}

function checkLabels(labels: unknown): string[] {
  if (!Array.isArray(labels) || labels.length > MAX_LABELS || labels.some((l) => typeof l !== 'string' || l.length === 0 || l.length > MAX_LABEL_CHARS || hasControlOrComma(l))) {
    throw new NodeError('NODE_BAD_ARGUMENT', `labels must be at most ${MAX_LABELS} strings of 1 to ${MAX_LABEL_CHARS} characters, without commas or control characters`, 'input');
  }
  return [...new Set(labels as string[])];
}

function checkPeers(peers: unknown): string[] {
  if (!Array.isArray(peers) || peers.length > 200 || peers.some((p) => typeof p !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/.test(p))) {
    throw new NodeError('NODE_BAD_ARGUMENT', 'peers must be at most 200 HOST:PORT strings', 'input');
  }
  return peers as string[];
}

function checkRate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1e12) throw new NodeError('NODE_BAD_ARGUMENT', 'a limit is whole bytes per second (0: none)', 'input');
  return value;
}

function checkFileIndexes(indexes: unknown, count: number): number[] {
  if (!Array.isArray(indexes) || indexes.some((i) => !Number.isInteger(i))) {
    throw new NodeError('NODE_BAD_ARGUMENT', `file indexes must be whole numbers from 0 to ${count - 1}`, 'input');
  }
  const missing = (indexes as number[]).find((i) => i < 0 || i >= count);
  if (missing !== undefined) throw new NodeError('NODE_NO_SUCH_FILE', `file ${missing} does not exist (the torrent has ${count})`, 'input');
  return indexes as number[];
}

/** The wanted files after `filesWanted`/`filesUnwanted`, or undefined when neither is given. */
function wantedAfter(e: TorrentEntry, changes: TorrentChanges): number[] | null | undefined {
  if (changes.filesWanted === undefined && changes.filesUnwanted === undefined) return undefined;
  if (!e.meta) throw new NodeError('NODE_BAD_ARGUMENT', `torrent ${e.id} has no metadata yet: its files are not known`, 'input');
  const count = e.meta.files.length;
  const wanted = new Set(e.record.filesWanted ?? e.meta.files.map((_, i) => i));
  for (const i of checkFileIndexes(changes.filesWanted ?? [], count)) wanted.add(i);
  for (const i of checkFileIndexes(changes.filesUnwanted ?? [], count)) wanted.delete(i);
  return wanted.size === count ? null : [...wanted].sort((a, b) => a - b);
}

function prioritiesAfter(e: TorrentEntry, changes: TorrentChanges): Record<string, -1 | 1> | undefined {
  const { priorityHigh, priorityNormal, priorityLow } = changes;
  if (!priorityHigh && !priorityNormal && !priorityLow) return undefined;
  const count = e.meta?.files.length ?? 0;
  const out = { ...e.record.priorities };
  for (const i of checkFileIndexes(priorityNormal ?? [], count)) delete out[String(i)];
  for (const i of checkFileIndexes(priorityHigh ?? [], count)) out[String(i)] = 1;
  for (const i of checkFileIndexes(priorityLow ?? [], count)) out[String(i)] = -1;
  return out;
}

/** Deletes the torrent's own files (never anything else in the folder), then the folders it leaves empty. */
async function deleteFiles(e: TorrentEntry, meta: Metainfo): Promise<void> {
  const root = e.record.savePath;
  const dirs = new Set<string>();
  for (let i = 0; i < meta.files.length; i++) {
    if (meta.files[i]!.pad) continue;
    const path = filePath(root, meta, i);
    await unlink(path).catch(() => undefined);
    for (let d = dirname(path); d.length > root.length && d.startsWith(root); d = dirname(d)) dirs.add(d);
  }
  // Deepest first, and only empty ones (rmdir refuses the others).
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => undefined);
  await rm(resolvePath(root, '.tandem', `${e.infoHash}.resume`), { force: true });
}

function checkRatio(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e6) throw new NodeError('NODE_BAD_ARGUMENT', `a seed ratio must be a number from 0 to 1000000, not ${String(value)}`, 'input');
  return value;
}

function checkRatioMode(value: unknown): SeedRatioMode {
  if (!SEED_RATIO_MODES.includes(value as SeedRatioMode)) throw new NodeError('NODE_BAD_ARGUMENT', `a seed ratio mode is ${SEED_RATIO_MODES.join(', ')}, not ${String(value)}`, 'input');
  return value as SeedRatioMode;
}

function hasControlOrComma(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2c) return true;
  }
  return false;
}
