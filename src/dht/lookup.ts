/**
 * An iterative Kademlia lookup (BEP 5 "find_node"/"get_peers" traversal) as a pure state machine. The node asks
 * `next()` whom to query, reports each answer or failure, and stops when `done`. No sockets, no timers.
 *
 * Rule: keep the candidates sorted by XOR distance to the target; query the closest ones not yet asked, at most
 * `concurrency` at once; the lookup is over when the `k` closest candidates that have not failed have all
 * answered (nothing closer can be learned), or when the query budget is spent.
 *
 * Slow nodes: a query unanswered after a short soft timeout is marked `stalled`. It stops counting against
 * `concurrency` and is passed over like a failed node, so the next candidate is asked at once and the lookup can
 * end, once k live nodes closest to the target have answered, without waiting out the full query timeout (as
 * libtorrent does with its short timeouts); an answer that comes late is still taken. On the public DHT many
 * table entries are dead and never answer. With fewer than k live answers, stalled queries are waited for.
 */
import { addressKey, type Contact, type PeerAddress } from './compact.js';
import { compareDistance, type NodeId } from './node-id.js';

export interface LookupOptions {
  k: number;
  concurrency: number;
  maxQueries: number;
  maxCandidates: number;
}

/** A node to query; bootstrap routers come without a known id. */
export type LookupContact = PeerAddress & { id?: NodeId };

type State = 'new' | 'pending' | 'stalled' | 'responded' | 'failed';

interface Candidate {
  contact: LookupContact;
  state: State;
  token?: Buffer;
}

export class Lookup {
  private candidates: Candidate[] = [];
  /** Every address ever offered (never re-added), and the live candidate for each. */
  private readonly seen = new Set<string>();
  private readonly byAddress = new Map<string, Candidate>();
  private inFlight = 0;
  private stalledCount = 0;
  queriesSent = 0;

  constructor(
    readonly target: Buffer,
    private readonly opts: LookupOptions,
    seeds: readonly LookupContact[],
  ) {
    for (const s of seeds) this.add(s);
    this.sort();
  }

  private add(c: LookupContact): void {
    const key = addressKey(c);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const candidate: Candidate = { contact: { ...c }, state: 'new' };
    this.candidates.push(candidate);
    this.byAddress.set(key, candidate);
  }

  private sort(): void {
    // Unknown ids sort last: a router is asked when nothing better is known.
    this.candidates.sort((a, b) => {
      if (!a.contact.id || !b.contact.id) return Number(!a.contact.id) - Number(!b.contact.id);
      return compareDistance(this.target, a.contact.id, b.contact.id);
    });
    if (this.candidates.length > this.opts.maxCandidates) {
      // Drop the farthest candidates not yet asked; ones in flight or answered stay (their answers matter).
      const keep: Candidate[] = [];
      let extra = this.candidates.length - this.opts.maxCandidates;
      for (let i = this.candidates.length - 1; i >= 0; i--) {
        const c = this.candidates[i]!;
        if (extra > 0 && c.state === 'new') {
          extra--;
          this.byAddress.delete(addressKey(c.contact));
        } else keep.push(c);
      }
      this.candidates = keep.reverse();
    }
  }

  /** The k closest candidates that have neither failed nor stalled. */
  private frontier(): Candidate[] {
    const out: Candidate[] = [];
    for (const c of this.candidates) {
      if (c.state === 'failed' || c.state === 'stalled') continue;
      out.push(c);
      if (out.length === this.opts.k) break;
    }
    return out;
  }

  /** Contacts to query now (each is then pending until `responded` or `failed`). */
  next(): LookupContact[] {
    const out: LookupContact[] = [];
    if (this.queriesSent >= this.opts.maxQueries) return out;
    for (const c of this.frontier()) {
      if (this.inFlight >= this.opts.concurrency || this.queriesSent >= this.opts.maxQueries) break;
      if (c.state !== 'new') continue;
      c.state = 'pending';
      this.inFlight++;
      this.queriesSent++;
      out.push(c.contact);
    }
    return out;
  }

  private find(c: PeerAddress): Candidate | undefined {
    return this.byAddress.get(addressKey(c));
  }

  /** Ends a pending or stalled query; false if there was none (a duplicate or unknown answer). */
  private settle(c: Candidate | undefined): c is Candidate {
    if (!c || (c.state !== 'pending' && c.state !== 'stalled')) return false;
    if (c.state === 'pending') this.inFlight--;
    else this.stalledCount--;
    return true;
  }

  /** A queried node answered with its id, the nodes it knows closer to the target, and maybe a token. */
  responded(from: PeerAddress, id: NodeId, nodes: readonly Contact[], token?: Buffer): void {
    const c = this.find(from);
    if (!this.settle(c)) return;
    c.state = 'responded';
    c.contact.id = id;
    if (token) c.token = token;
    for (const n of nodes) this.add(n);
    this.sort();
  }

  failed(from: PeerAddress): void {
    const c = this.find(from);
    if (!this.settle(c)) return;
    c.state = 'failed';
  }

  /** The soft timeout passed with no answer: the query no longer holds a concurrency slot (see above). */
  stalled(from: PeerAddress): void {
    const c = this.find(from);
    if (!c || c.state !== 'pending') return;
    this.inFlight--;
    this.stalledCount++;
    c.state = 'stalled';
  }

  /** Queries holding a concurrency slot. */
  get pending(): number {
    return this.inFlight;
  }

  /** Queries not yet answered or failed, stalled ones included. */
  get outstanding(): number {
    return this.inFlight + this.stalledCount;
  }

  get done(): boolean {
    if (this.inFlight > 0) return false;
    if (this.queriesSent >= this.opts.maxQueries) return true;
    const frontier = this.frontier();
    if (!frontier.every((c) => c.state === 'responded')) return false;
    // k live answers closest to the target: slow nodes are not waited for. With fewer (a small network, or every
    // node so far slow), stalled queries are waited for until they answer or time out: they may be all there is.
    return frontier.length >= this.opts.k || this.stalledCount === 0;
  }

  /** The closest nodes that answered, with the token each gave (for announce_peer). */
  closestResponded(count: number): { contact: Contact; token?: Buffer }[] {
    const out: { contact: Contact; token?: Buffer }[] = [];
    for (const c of this.candidates) {
      if (c.state !== 'responded' || !c.contact.id) continue;
      out.push({ contact: c.contact as Contact, token: c.token });
      if (out.length === count) break;
    }
    return out;
  }
}
