import { copyInto } from '../util/copy-into.js';
import type { PieceBuffers } from './piece-buffers.js';
import type { PeerPieces, PiecePicker } from './picker.js';

/** One block request: piece index, offset in the piece, length. */
export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

const NONE = 0;
const REQUESTED = 1;
const RECEIVED = 2;


/** A piece whose blocks are arriving, held in memory until complete and verified. */
class PartialPiece {
  readonly state: Uint8Array;
  /** Who each block is requested from (several peers only in end-game). */
  readonly requesters = new Map<number, Set<string>>();
  received = 0;
  /** Peers that sent blocks of this piece: on a hash failure each gets a strike. */
  readonly contributors = new Set<string>();
  /** When a block of it was last asked for or received: a piece idle for long is not being sent (web seeds may help). */
  touchedMs = 0;

  constructor(
    readonly index: number,
    readonly size: number,
    readonly blockBytes: number,
    public owner: string | undefined,
    readonly buffer: Buffer,
  ) {
    this.state = new Uint8Array(Math.ceil(size / blockBytes));
  }

  blockLength(b: number): number {
    return Math.min(this.blockBytes, this.size - b * this.blockBytes);
  }
}

export interface CompletedPiece {
  index: number;
  data: Buffer;
  contributors: string[];
}

export interface ReceiveResult {
  /** False when the block was not asked of anyone, or already received (a duplicate in end-game). */
  accepted: boolean;
  /** Other peers that were also asked for this block (end-game) and should get a cancel. */
  cancelFrom: string[];
  complete?: CompletedPiece;
}

export interface RequesterOptions {
  blockBytes: number;
  pieceSize: (index: number) => number;
  maxPartialBytes: number;
  /** Where piece buffers come from and go back to. */
  buffers: PieceBuffers;
}

/**
 * Between the picker and the peers (STYLE.md 10): turns picked pieces into block requests, remembers who was asked
 * for what, assembles received blocks into pieces, and runs end-game. Pure: no sockets, no timers; time is passed in.
 */
export class Requester {
  private readonly partial = new Map<number, PartialPiece>();
  /** Per peer: outstanding request key → when it was sent. */
  private readonly outstanding = new Map<string, Map<number, number>>();

  constructor(
    private readonly picker: PiecePicker,
    private readonly options: RequesterOptions,
  ) {}

  private key(index: number, begin: number): number {
    return index * 0x100000000 / this.options.blockBytes + begin / this.options.blockBytes;
  }

  private unkey(k: number): { index: number; block: number } {
    const perPiece = 0x100000000 / this.options.blockBytes;
    return { index: Math.floor(k / perPiece), block: k % perPiece };
  }

  outstandingFor(peer: string): number {
    return this.outstanding.get(peer)?.size ?? 0;
  }

  get partialCount(): number {
    return this.partial.size;
  }

  /**
   * Up to `max` new requests for this peer. Own pieces first, then a new piece (one the peer suggested, BEP 6, when
   * the picker allows it, else the picker's choice), then others' pieces, then end-game.
   */
  next(peer: string, pieces: PeerPieces, max: number, nowMs: number, suggested: number[] = []): BlockRequest[] {
    const out: BlockRequest[] = [];
    const has = (i: number): boolean => pieces === 'all' || pieces.has(i);
    for (const p of this.partial.values()) {
      if (out.length >= max) return out;
      if (p.owner === peer) this.fill(p, peer, out, max, nowMs, false);
    }
    while (out.length < max && this.partialBytes() < this.options.maxPartialBytes) {
      const index = this.takeSuggested(suggested, pieces) ?? this.picker.pick(pieces);
      if (index === undefined) break;
      const size = this.options.pieceSize(index);
      const p = new PartialPiece(index, size, this.options.blockBytes, peer, this.options.buffers.take(size));
      this.partial.set(index, p);
      this.picker.markStarted(index);
      this.fill(p, peer, out, max, nowMs, false);
    }
    for (const p of this.partial.values()) {
      if (out.length >= max) return out;
      if (p.owner !== peer && has(p.index)) this.fill(p, peer, out, max, nowMs, false);
    }
    // End-game (BEP 3): once every block the torrent still needs is requested from someone, ask for blocks others
    // are already fetching. Not before: a peer that merely has nothing new for us would otherwise duplicate
    // requests while most of the torrent is still unrequested, and download the same bytes twice.
    if (out.length === 0 && this.allRequested()) {
      for (const p of this.partial.values()) {
        if (out.length >= max) break;
        if (has(p.index)) this.fill(p, peer, out, max, nowMs, true);
      }
    }
    return out;
  }

  /** The first suggested piece the peer has and the picker lets us start; spent suggestions leave the list. */
  private takeSuggested(suggested: number[], pieces: PeerPieces): number | undefined {
    while (suggested.length > 0) {
      const i = suggested.shift()!;
      if ((pieces === 'all' || pieces.has(i)) && this.picker.followsSuggestion(i)) return i;
    }
    return undefined;
  }

  /** Hands a completed piece's buffer back for reuse (after it is written, or failed its hash). */
  recycle(buffer: Buffer): void {
    this.options.buffers.recycle(buffer);
  }

  /** Whether no wanted block is left unrequested: every wanted piece started, and no block of one waiting. */
  allRequested(): boolean {
    if (!this.picker.allStarted()) return false;
    for (const p of this.partial.values()) for (let b = 0; b < p.state.length; b++) if (p.state[b] === NONE) return false;
    return true;
  }

  private partialBytes(): number {
    let n = 0;
    for (const p of this.partial.values()) n += p.size;
    return n;
  }

  private fill(p: PartialPiece, peer: string, out: BlockRequest[], max: number, nowMs: number, endgame: boolean): void {
    let mine = this.outstanding.get(peer);
    if (!mine) this.outstanding.set(peer, (mine = new Map()));
    for (let b = 0; b < p.state.length && out.length < max; b++) {
      const st = p.state[b]!;
      if (st === RECEIVED) continue;
      if (st === REQUESTED) {
        const who = p.requesters.get(b)!;
        if (!endgame || who.has(peer) || who.size >= 2) continue;
      }
      p.state[b] = REQUESTED;
      let who = p.requesters.get(b);
      if (!who) p.requesters.set(b, (who = new Set()));
      who.add(peer);
      mine.set(this.key(p.index, b * p.blockBytes), nowMs);
      p.touchedMs = nowMs;
      out.push({ index: p.index, begin: b * p.blockBytes, length: p.blockLength(b) });
    }
  }

  /** Takes a received block. A completed piece is handed back (and dropped from the partial set) for hashing. */
  receive(peer: string, index: number, begin: number, data: Buffer, nowMs?: number): ReceiveResult {
    const mine = this.outstanding.get(peer);
    const k = this.key(index, begin);
    const asked = mine?.delete(k) ?? false;
    const p = this.partial.get(index);
    const b = begin / this.options.blockBytes;
    if (!p || !Number.isInteger(b) || b >= p.state.length || data.length !== p.blockLength(b) || p.state[b] === RECEIVED) {
      return { accepted: false, cancelFrom: [] };
    }
    if (!asked && !p.requesters.get(b)?.has(peer)) return { accepted: false, cancelFrom: [] };
    copyInto(p.buffer, data, begin);
    if (nowMs !== undefined) p.touchedMs = nowMs;
    p.state[b] = RECEIVED;
    p.received++;
    p.contributors.add(peer);
    const others = [...(p.requesters.get(b) ?? [])].filter((x) => x !== peer);
    for (const o of others) this.outstanding.get(o)?.delete(k);
    p.requesters.delete(b);
    if (p.received < p.state.length) return { accepted: true, cancelFrom: others };
    this.partial.delete(index);
    return { accepted: true, cancelFrom: others, complete: { index, data: p.buffer, contributors: [...p.contributors] } };
  }

  /** A request the peer rejected (BEP 6) or that timed out: the block can be asked of someone else. */
  release(peer: string, index: number, begin: number): void {
    this.outstanding.get(peer)?.delete(this.key(index, begin));
    const p = this.partial.get(index);
    if (!p) return;
    const b = begin / this.options.blockBytes;
    const who = p.requesters.get(b);
    if (!who) return;
    who.delete(peer);
    if (who.size === 0) {
      p.requesters.delete(b);
      if (p.state[b] === REQUESTED) p.state[b] = NONE;
    }
    if (p.owner === peer) p.owner = undefined;
  }

  /** Every request of a peer (it choked us, snubbed us, or left). Returns what was released. */
  releasePeer(peer: string): BlockRequest[] {
    const mine = this.outstanding.get(peer);
    const released: BlockRequest[] = [];
    for (const k of [...(mine?.keys() ?? [])]) {
      const { index, block } = this.unkey(k);
      const begin = block * this.options.blockBytes;
      const p = this.partial.get(index);
      released.push({ index, begin, length: p ? p.blockLength(block) : 0 });
      this.release(peer, index, begin);
    }
    for (const p of this.partial.values()) if (p.owner === peer) p.owner = undefined;
    this.outstanding.delete(peer);
    return released;
  }

  /** Requests older than `timeoutMs`, per peer. */
  expired(nowMs: number, timeoutMs: number): { peer: string; request: BlockRequest }[] {
    const out: { peer: string; request: BlockRequest }[] = [];
    for (const [peer, mine] of this.outstanding) {
      for (const [k, sent] of mine) {
        if (nowMs - sent < timeoutMs) continue;
        const { index, block } = this.unkey(k);
        out.push({ peer, request: { index, begin: block * this.options.blockBytes, length: this.options.blockBytes } });
      }
    }
    return out;
  }

  /** The oldest outstanding request's send time for a peer (for snub detection). */
  oldestRequestMs(peer: string): number | undefined {
    const mine = this.outstanding.get(peer);
    if (!mine || mine.size === 0) return undefined;
    return mine.values().next().value;
  }

  /**
   * Drops a partial piece (another source delivered it, its file is no longer wanted, or the session stops).
   * Returns the requests still out for it, for the caller to cancel.
   */
  abandon(index: number): { peer: string; request: BlockRequest }[] {
    const p = this.partial.get(index);
    const cancels: { peer: string; request: BlockRequest }[] = [];
    if (p) {
      for (const [b, who] of p.requesters) {
        for (const peer of who) {
          this.outstanding.get(peer)?.delete(this.key(index, b * p.blockBytes));
          cancels.push({ peer, request: { index, begin: b * p.blockBytes, length: p.blockLength(b) } });
        }
      }
      this.recycle(p.buffer);
    }
    this.partial.delete(index);
    this.picker.unstart(index);
    return cancels;
  }

  /** When a block of partial piece `index` was last asked for or received; undefined when it is not partial. */
  lastActivityMs(index: number): number | undefined {
    return this.partial.get(index)?.touchedMs;
  }

  hasPartial(index: number): boolean {
    return this.partial.has(index);
  }
}
