import type { Node, NodeEvents, NodeEventName } from '../node/index.js';

/** One event as the stream sends it: a sequence number, the event's name, and its detail. */
export type StreamEvent = { seq: number; type: NodeEventName } & Record<string, unknown>;

/** Sequence numbers are reserved in the node's database this many at a time (one write per block). */
const SEQ_BLOCK = 100_000;

/**
 * The node's events numbered and kept in a ring, so that a client that reconnects with the last number it saw
 * gets exactly what it missed; one that is too far behind (or new) gets a snapshot instead. The numbers go on
 * rising across daemon restarts and crashes (blocks are reserved in the database before use), so a number from
 * an earlier run can never be mistaken for one of this run: it is simply too old, and gets a snapshot.
 */
export class EventLog {
  private readonly ring: StreamEvent[] = [];
  private seq: number;
  /** The last number of the reserved block. */
  private reservedTo: number;
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly node: Node,
    private readonly capacity = 2_000,
  ) {
    this.seq = node.reserveEventSeqs(SEQ_BLOCK) - 1;
    this.reservedTo = this.seq + SEQ_BLOCK;
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
    if (this.seq === this.reservedTo) {
      // Blocks are contiguous within one run: the database's next block starts right after ours.
      this.reservedTo = this.node.reserveEventSeqs(SEQ_BLOCK) + SEQ_BLOCK - 1;
    }
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
