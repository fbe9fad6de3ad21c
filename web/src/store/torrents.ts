// The page's copy of the node: torrents by id, servers and settings, updated only by the event stream.
// Each torrent object is replaced, never mutated, when it changes, so a view can tell by identity what changed.
import type { Batch, StreamEvent } from '../api/events.js';
import type { ServerInfo, SessionSettings, TorrentSummary } from '../../../src/node/types.js';
import { FacetCounts } from './facets.js';

export type Listener = () => void;

export class NodeStore {
  readonly torrents = new Map<number, TorrentSummary>();
  readonly facets = new FacetCounts();
  servers: ServerInfo[] = [];
  settings: (SessionSettings & { version?: string }) | null = null;
  /** Hashing progress of the torrents this page is creating, by the job name it gave (`create:progress`). */
  readonly creating = new Map<string, { hashedBytes: number; totalBytes: number }>();
  /** Bumped on every applied batch. */
  version = 0;
  /** The `version` at which rows last came or went. */
  rowsVersion = 0;
  /** For each torrent field, the `version` at which some torrent's value of it last changed (views re-sort only
   * when a field they sort or filter by changed). */
  readonly fieldVersion = new Map<string, number>();
  /** True once the first snapshot (or replay) arrived. */
  loaded = false;
  private readonly listeners = new Set<Listener>();

  /** An arrow property, so a component can pass `store.subscribe` itself and keep one subscription. */
  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  applyBatch(batch: Batch): void {
    this.version++;
    for (const event of batch.events) this.apply(event);
    this.loaded = true;
    for (const listener of this.listeners) listener();
  }

  setSettings(settings: SessionSettings & { version?: string }): void {
    this.settings = { ...this.settings, ...settings };
    this.version++;
    for (const listener of this.listeners) listener();
  }

  /** Adds or replaces a torrent, keeping the filter counts right. */
  private put(t: TorrentSummary): void {
    const old = this.torrents.get(t.id);
    if (old) this.facets.count(old, -1);
    this.torrents.set(t.id, t);
    this.facets.count(t, 1);
  }

  private apply(event: StreamEvent): void {
    switch (event.type) {
      case 'snapshot':
        this.torrents.clear();
        this.facets.clear();
        for (const t of event.torrents) this.put(t);
        this.servers = event.servers;
        this.rowsVersion = this.version;
        return;
      case 'torrent:added':
        this.put(event.torrent);
        this.rowsVersion = this.version;
        return;
      case 'torrent:removed': {
        const old = this.torrents.get(event.id);
        if (!old) return;
        this.facets.count(old, -1);
        this.torrents.delete(event.id);
        this.rowsVersion = this.version;
        return;
      }
      case 'torrent:changed': {
        const old = this.torrents.get(event.id);
        if (!old) return;
        this.put({ ...old, ...event.changes });
        for (const key in event.changes) this.fieldVersion.set(key, this.version);
        return;
      }
      case 'server:started':
      case 'server:stopped':
        this.servers = [...this.servers.filter((s) => s.kind !== event.kind), stripEvent(event)];
        return;
      case 'session:changed':
        this.settings = { ...this.settings, ...event.settings };
        return;
      case 'create:progress':
        // Only jobs this page started (it registers them), not another tab's or a replay's.
        if (this.creating.has(event.job)) this.creating.set(event.job, { hashedBytes: event.hashedBytes, totalBytes: event.totalBytes });
        return;
    }
  }
}

function stripEvent(event: ServerInfo & { seq: number; type: string }): ServerInfo {
  const { seq: _seq, type: _type, ...info } = event;
  return info;
}
