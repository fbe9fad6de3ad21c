/**
 * The BEP 5 routing table: k-buckets split around our own id. A pure data structure: time is a number passed
 * in, randomness is passed in, nothing here sends a packet. The node reacts to what the methods return (for
 * instance, pings the questionable nodes `insert` names when a full bucket is offered a new node).
 *
 * Bucket i (i < last) holds the nodes whose id shares exactly i leading bits with ours; the last bucket holds the
 * rest, the ones closest to us. Only the last bucket splits (BEP 5: "when the bucket is full and our own id falls
 * in its range, it is split"), which is the same as splitting ranges around our id.
 */
import { type Contact } from './compact.js';
import { addressKey } from './compact.js';
import { commonPrefixBits, compareDistance, ID_BITS, randomIdWithPrefix, type NodeId } from './node-id.js';

export interface TableEntry extends Contact {
  /** Last time we heard anything from this node (response or query). */
  lastSeenMs: number;
  /** Last time it answered one of our queries; undefined if never. */
  lastRespondedMs: number | undefined;
  /** Last time it sent us a query. */
  lastQueriedUsMs: number;
  /** Failed queries in a row. */
  failures: number;
}

export type NodeStatus = 'good' | 'questionable' | 'bad';

export interface RoutingTableOptions {
  bucketSize: number;
  nodeQuestionableMs: number;
  nodeMaxFailures: number;
  bucketRefreshMs: number;
}

/** How a node came to our attention: it answered our query, or it queried us (BEP 5 treats them differently). */
export type Sighting = 'response' | 'query';

export type InsertResult =
  | { kind: 'updated' }
  | { kind: 'added' }
  | { kind: 'replaced'; evicted: TableEntry }
  /** The bucket is full; the new node waits in the replacement cache while the named nodes are pinged. */
  | { kind: 'pending'; ping: TableEntry[] }
  /** The bucket is full of good nodes: the new one is discarded (BEP 5). */
  | { kind: 'full' }
  | { kind: 'rejected' };

interface Bucket {
  nodes: TableEntry[];
  /** Nodes waiting for a place, newest last; bounded by bucketSize. */
  replacements: TableEntry[];
  lastChangedMs: number;
}

export class RoutingTable {
  private readonly buckets: Bucket[];
  /** Addresses of the nodes in the buckets (one entry per address), kept in step with the buckets. */
  private readonly addresses = new Set<string>();

  constructor(
    readonly ownId: NodeId,
    private readonly opts: RoutingTableOptions,
    nowMs: number,
  ) {
    this.buckets = [{ nodes: [], replacements: [], lastChangedMs: nowMs }];
  }

  get size(): number {
    return this.buckets.reduce((n, b) => n + b.nodes.length, 0);
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  status(e: TableEntry, nowMs: number): NodeStatus {
    if (e.failures >= this.opts.nodeMaxFailures) return 'bad';
    // BEP 5: good if it answered us within 15 minutes, or it ever answered and queried us within 15 minutes.
    if (e.lastRespondedMs === undefined) return 'questionable';
    if (nowMs - e.lastRespondedMs < this.opts.nodeQuestionableMs) return 'good';
    if (nowMs - e.lastQueriedUsMs < this.opts.nodeQuestionableMs) return 'good';
    return 'questionable';
  }

  private bucketIndex(id: Buffer): number {
    return Math.min(commonPrefixBits(id, this.ownId), this.buckets.length - 1);
  }

  find(id: Buffer): TableEntry | undefined {
    return this.buckets[this.bucketIndex(id)]!.nodes.find((n) => n.id.equals(id));
  }

  /** Offers a node we just heard from. */
  insert(contact: Contact, how: Sighting, nowMs: number): InsertResult {
    if (contact.id.equals(this.ownId)) return { kind: 'rejected' };
    for (;;) {
      const index = this.bucketIndex(contact.id);
      const bucket = this.buckets[index]!;
      const existing = bucket.nodes.find((n) => n.id.equals(contact.id));
      if (existing) {
        // A known id at a new address is ignored (an id hijack would otherwise be one packet away).
        if (addressKey(existing) !== addressKey(contact)) return { kind: 'rejected' };
        touch(existing, how, nowMs);
        if (how === 'response') bucket.lastChangedMs = nowMs;
        return { kind: 'updated' };
      }
      if (this.hasAddress(contact)) return { kind: 'rejected' }; // one table entry per address
      const entry = newEntry(contact, how, nowMs);
      if (bucket.nodes.length < this.opts.bucketSize) {
        this.place(bucket, bucket.nodes.length, 0, entry);
        bucket.lastChangedMs = nowMs;
        return { kind: 'added' };
      }
      if (index === this.buckets.length - 1 && this.buckets.length < ID_BITS) {
        this.split();
        continue;
      }
      return this.offerToFullBucket(bucket, entry, nowMs);
    }
  }

  private offerToFullBucket(bucket: Bucket, entry: TableEntry, nowMs: number): InsertResult {
    const badIndex = bucket.nodes.findIndex((n) => this.status(n, nowMs) === 'bad');
    if (badIndex >= 0) {
      const [evicted] = this.place(bucket, badIndex, 1, entry);
      bucket.lastChangedMs = nowMs;
      return { kind: 'replaced', evicted: evicted! };
    }
    const questionable = bucket.nodes.filter((n) => this.status(n, nowMs) === 'questionable').sort((a, b) => a.lastSeenMs - b.lastSeenMs);
    if (questionable.length === 0) return { kind: 'full' };
    // Keep the newcomer as a replacement; a node that answered is preferred over one that only queried us.
    const r = bucket.replacements.filter((n) => !n.id.equals(entry.id));
    r.push(entry);
    r.sort((a, b) => Number(a.lastRespondedMs !== undefined) - Number(b.lastRespondedMs !== undefined));
    bucket.replacements = r.slice(-this.opts.bucketSize);
    return { kind: 'pending', ping: questionable };
  }

  private split(): void {
    const depth = this.buckets.length - 1;
    const old = this.buckets[depth]!;
    const near: Bucket = { nodes: [], replacements: [], lastChangedMs: old.lastChangedMs };
    const far: Bucket = { nodes: [], replacements: [], lastChangedMs: old.lastChangedMs };
    for (const n of old.nodes) (commonPrefixBits(n.id, this.ownId) > depth ? near : far).nodes.push(n);
    for (const n of old.replacements) (commonPrefixBits(n.id, this.ownId) > depth ? near : far).replacements.push(n);
    this.buckets.splice(depth, 1, far, near);
  }

  private hasAddress(c: Contact): boolean {
    return this.addresses.has(addressKey(c));
  }

  /** Puts `entry` at `index` in the bucket (replacing `replace` entries there), keeping the address set in step. */
  private place(bucket: Bucket, index: number, replace: number, entry?: TableEntry): TableEntry[] {
    const removed = entry ? bucket.nodes.splice(index, replace, entry) : bucket.nodes.splice(index, replace);
    for (const r of removed) this.addresses.delete(addressKey(r));
    if (entry) this.addresses.add(addressKey(entry));
    return removed;
  }

  /**
   * A query to this node failed. Once it is bad it is swapped for the best waiting replacement, if any.
   * Returns the node's status after the failure (undefined if it is not in the table).
   */
  failed(id: Buffer, nowMs: number): NodeStatus | undefined {
    const bucket = this.buckets[this.bucketIndex(id)]!;
    const i = bucket.nodes.findIndex((n) => n.id.equals(id));
    if (i < 0) return undefined;
    const node = bucket.nodes[i]!;
    node.failures++;
    const status = this.status(node, nowMs);
    if (status === 'bad') {
      const replacement = bucket.replacements.pop();
      if (replacement && !this.hasAddress(replacement)) {
        this.place(bucket, i, 1, replacement);
        bucket.lastChangedMs = nowMs;
      }
    }
    return status;
  }

  remove(id: Buffer): boolean {
    const bucket = this.buckets[this.bucketIndex(id)]!;
    const i = bucket.nodes.findIndex((n) => n.id.equals(id));
    if (i < 0) return false;
    this.place(bucket, i, 1);
    const replacement = bucket.replacements.pop();
    if (replacement && !this.hasAddress(replacement)) this.place(bucket, bucket.nodes.length, 0, replacement);
    return true;
  }

  /** The `count` nodes closest to `target` by XOR distance, closest first; bad nodes are left out. */
  closest(target: Buffer, count: number, nowMs: number): TableEntry[] {
    const all: TableEntry[] = [];
    for (const b of this.buckets) for (const n of b.nodes) if (this.status(n, nowMs) !== 'bad') all.push(n);
    all.sort((a, b) => compareDistance(target, a.id, b.id));
    return all.slice(0, count);
  }

  all(): TableEntry[] {
    return this.buckets.flatMap((b) => b.nodes);
  }

  /** Questionable nodes worth a ping, least recently seen first (BEP 5 keeps buckets fresh this way). */
  questionable(nowMs: number, limit: number): TableEntry[] {
    return this.all()
      .filter((n) => this.status(n, nowMs) === 'questionable')
      .sort((a, b) => a.lastSeenMs - b.lastSeenMs)
      .slice(0, limit);
  }

  /**
   * BEP 5: "buckets that have not been changed in 15 minutes should be refreshed" by a find_node of a random id
   * in their range. Returns one target per stale bucket and marks the buckets as refreshed now.
   */
  refreshTargets(nowMs: number, randomBytes: (n: number) => Buffer): NodeId[] {
    const out: NodeId[] = [];
    this.buckets.forEach((b, i) => {
      if (nowMs - b.lastChangedMs < this.opts.bucketRefreshMs) return;
      b.lastChangedMs = nowMs;
      const last = i === this.buckets.length - 1;
      out.push(last ? randomIdWithPrefix(this.ownId, i + 1 < ID_BITS ? i + 1 : ID_BITS, randomBytes) : randomIdWithPrefix(this.ownId, i, randomBytes));
    });
    return out;
  }
}

function newEntry(c: Contact, how: Sighting, nowMs: number): TableEntry {
  const e: TableEntry = { id: c.id, host: c.host, port: c.port, lastSeenMs: nowMs, lastRespondedMs: undefined, lastQueriedUsMs: -Infinity, failures: 0 };
  touch(e, how, nowMs);
  return e;
}

function touch(e: TableEntry, how: Sighting, nowMs: number): void {
  e.lastSeenMs = nowMs;
  if (how === 'response') {
    e.lastRespondedMs = nowMs;
    e.failures = 0;
  } else {
    e.lastQueriedUsMs = nowMs;
  }
}
