import type { Node, NodeEvents, NodeEventName } from '../node/index.js';

/** One event as the stream sends it: a sequence number, the event's name, and its detail. */
export type StreamEvent = { seq: number; type: NodeEventName } & Record<string, unknown>;

/**
 * The node's events numbered and kept in a ring, so that a client that reconnects with the last number it saw
 * gets exactly what it missed; one that is too far behind (or new) gets a snapshot instead.
 */
export class EventLog {
  private readonly ring: StreamEvent[] = [];
  private seq = 0;
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly detach: (() => void)[] = [];

  constructor(
    node: Node,
    private readonly capacity = 2_000,
  ) {
    const names: NodeEventName[] = ['torrent:added', 'torrent:removed', 'torrent:changed', 'server:started', 'server:stopped', 'session:changed', 'warning', 'create:progress'];
    for (const name of names) {
      const fn = (detail: NodeEvents[typeof name]): void => this.push(name, detail as unknown as Record<string, unknown>);
      node.on(name, fn);
      this.detach.push(() => node.off(name, fn));
    }
  }

  get lastSeq(): number {
    return this.seq;
  }

  private push(type: NodeEventName, detail: Record<string, unknown>): void {
    const event = { ...detail, seq: ++this.seq, type } as StreamEvent;
    this.ring.push(event);
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const fn of this.listeners) fn(event);
  }

  /** Events after `since`, or undefined when some of them are no longer kept (the client needs a snapshot). */
  since(since: number): StreamEvent[] | undefined {
    if (since > this.seq || since < 0) return undefined;
    if (since === this.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > since + 1) return undefined;
    return this.ring.slice(since + 1 - first.seq);
  }

  subscribe(fn: (e: StreamEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    for (const d of this.detach) d();
    this.listeners.clear();
  }
}
