import type { Peer } from './peer.js';
import type { BlockRequest } from './requests.js';
import type { SwarmContext } from './swarm-context.js';
import { copySent } from './seed-suggest.js';
import { UploadBuffers } from './upload-buffers.js';
import { tracePiece } from '../util/piece-trace.js';

/** Bytes queued in a socket before we stop reading more blocks for it (backpressure, DESIGN.md §6). */
const MAX_SOCKET_BUFFER_BYTES = 1024 * 1024;
/** Whole pieces kept in memory for serving, so a peer's requests for one piece cost one disk read. */
const PIECE_CACHE_BYTES = 32 * 1024 * 1024;
/**
 * Read ahead of the piece being sent, so the disk works while the socket drains (no bubble per piece): at least
 * this many pieces, and with small pieces at least READ_AHEAD_BYTES (64 KiB pieces would otherwise keep only
 * 256 KiB in flight, one thread-pool hop each).
 */
const READ_AHEAD_MIN_PIECES = 4;
const READ_AHEAD_BYTES = 2 * 1024 * 1024;
/** How far into a peer's request queue read-ahead looks for those pieces. */
const READ_AHEAD_SCAN = 512;

/**
 * The upload side: answers requests from unchoked peers in order, reading whole pieces through a small cache,
 * respecting socket backpressure and the upload limit.
 */
export class Uploader {
  private readonly ready = new Map<number, Buffer>();
  private readonly reading = new Map<number, Promise<Buffer>>();
  private cacheBytes = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private turn = 0;
  private buffers?: UploadBuffers;

  constructor(private readonly t: SwarmContext) {}

  onRequest(peer: Peer, m: { index: number; begin: number; length: number }): void {
    const t = this.t;
    // BEP 6: a choked peer may still fetch the pieces of its allowed-fast set.
    const ok = (!peer.amChoking || peer.allowedFastOut.has(m.index)) && t.picker?.have.has(m.index) && t.layout && m.begin + m.length <= t.layout.pieceSize(m.index);
    // Whatever we queue for a peer that does not read stays in memory: past the bound it asks for nothing more.
    if (peer.conn.writableLength > t.config.maxUnsentBytes) return t.misbehaved(peer, 'keeps asking and does not read what it asked for');
    // BEP 10: `reqq` is how many requests we keep; a peer never has more outstanding than that, so one more is a
    // flood (an honest peer's queue here is at most what it has in flight, answered blocks still on their way).
    if (peer.uploadQueue.length >= t.config.maxIncomingRequests) return t.misbehaved(peer, `more than ${t.config.maxIncomingRequests} requests outstanding (our reqq)`);
    if (!ok) {
      // BEP 6: with the fast extension a request we will not serve is rejected, not silently dropped.
      // The type goes last: `m` is the request message itself, and its own `type` must not win.
      if (peer.fast) peer.conn.send({ index: m.index, begin: m.begin, length: m.length, type: 'reject' });
      return;
    }
    if (m.begin === 0) tracePiece('request-received', m.index, peer.remoteHost);
    peer.uploadQueue.push({ index: m.index, begin: m.begin, length: m.length });
    this.serve(peer);
  }

  onCancel(peer: Peer, m: { index: number; begin: number; length: number }): void {
    const i = peer.uploadQueue.findIndex((r) => r.index === m.index && r.begin === m.begin && r.length === m.length);
    if (i >= 0) peer.uploadQueue.splice(i, 1);
  }

  /** BEP 3: choking a peer discards its requests; BEP 6 peers are told of each, and keep their allowed-fast ones. */
  clearQueue(peer: Peer): void {
    const q = peer.uploadQueue;
    let kept = 0;
    if (peer.fast) peer.conn.cork();
    for (const r of q) {
      if (peer.fast && peer.allowedFastOut.has(r.index)) q[kept++] = r;
      else if (peer.fast) peer.conn.send({ ...r, type: 'reject' });
    }
    if (peer.fast) peer.conn.uncork();
    q.length = kept;
  }

  /** Sends queued blocks until the socket buffer is full, the queue is empty, or the upload limit says wait. */
  serve(peer: Peer): void {
    if (peer.serving || this.stopped) return;
    peer.serving = true;
    void this.serveLoop(peer);
  }

  private async serveLoop(peer: Peer): Promise<void> {
    try {
      await this.serveQueue(peer);
    } catch (err) {
      peer.serving = false;
      this.t.warn(`upload to ${peer.key} failed: ${(err as Error).message}`);
    }
  }

  private async serveQueue(peer: Peer): Promise<void> {
    const t = this.t;
    // The flag is cleared synchronously at each return, not in a later microtask: a 'drain' that fires in
    // between (it can come from a nextTick, before promise reactions) must find the loop idle and restart it.
    const idle = (): void => {
      peer.serving = false;
    };
    // Bounded by the queue, which the peer cannot grow past maxIncomingRequests.
    while (peer.uploadQueue.length > 0 && peer.conn.isOpen && !this.stopped) {
      if (peer.conn.writableLength > MAX_SOCKET_BUFFER_BYTES) return idle(); // resumed on 'drain'
      const r = peer.uploadQueue[0]!;
      let piece = this.ready.get(r.index);
      if (!piece) {
        try {
          piece = await this.readPiece(r.index);
        } catch (err) {
          t.warn(`cannot read piece ${r.index} to upload: ${(err as Error).message}`);
          peer.conn.close('storage read failed');
          return idle();
        }
        continue; // the queue may have changed while reading; look again
      }
      this.readAhead(peer);
      if (!this.sendBatch(peer)) return idle(); // the upload limit says wait: woken by its timer
    }
    idle();
  }

  /**
   * Sends every queued block whose piece is in memory, corked into as few writes as the socket allows. Returns
   * false when the upload limit stopped it.
   */
  private sendBatch(peer: Peer): boolean {
    const t = this.t;
    const now = Date.now();
    // Each block is sent one step late, so that the batch's last write carries the callback that frees its pieces.
    let last: { r: BlockRequest; piece: Buffer } | undefined;
    const used: Buffer[] = [];
    let limited = false;
    peer.conn.cork();
    while (peer.uploadQueue.length > 0 && peer.conn.writableLength <= MAX_SOCKET_BUFFER_BYTES) {
      const r = peer.uploadQueue[0]!;
      const piece = this.ready.get(r.index);
      if (!piece) break;
      const waitMs = t.upBucket.tryTake(r.length, now);
      if (waitMs > 0) {
        this.wake(waitMs);
        limited = true;
        break;
      }
      peer.uploadQueue.shift();
      if (r.begin === 0) {
        copySent(t, peer, r.index);
        tracePiece('send-started', r.index, peer.remoteHost);
      }
      if (last) peer.conn.sendPiece(last.r.index, last.r.begin, last.piece.subarray(last.r.begin, last.r.begin + last.r.length));
      last = { r, piece };
      if (!used.includes(piece)) used.push(piece);
      peer.up.add(r.length, now);
      peer.lastExchangeMs = now;
      t.upMeter.add(r.length, now);
    }
    if (last) {
      const buffers = this.buffers;
      for (const b of used) buffers?.hold(b);
      const block = last.piece.subarray(last.r.begin, last.r.begin + last.r.length);
      peer.conn.sendPiece(last.r.index, last.r.begin, block, () => used.forEach((b) => buffers?.release(b)));
    }
    peer.conn.uncork();
    return !limited;
  }

  /** Starts reading the next few pieces the peer asked for that are not in memory yet; errors surface when served. */
  private readAhead(peer: Peer): void {
    let ahead = 0;
    let last = -1;
    const n = Math.min(peer.uploadQueue.length, READ_AHEAD_SCAN);
    const most = this.readAheadPieces();
    for (let i = 0; i < n && ahead < most; i++) {
      const index = peer.uploadQueue[i]!.index;
      if (index === last) continue;
      last = index;
      ahead++;
      if (!this.ready.has(index) && !this.reading.has(index)) this.readPiece(index).catch(() => undefined);
    }
  }

  private readAheadPieces(): number {
    return Math.max(READ_AHEAD_MIN_PIECES, Math.ceil(READ_AHEAD_BYTES / this.t.layout!.pieceLengthBytes));
  }

  private wake(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Start with a different peer each time, so the first in the map does not take every token.
      const peers = [...this.t.peers.values()];
      this.turn = (this.turn + 1) % Math.max(1, peers.length);
      for (let i = 0; i < peers.length; i++) this.serve(peers[(this.turn + i) % peers.length]!);
    }, ms);
    this.timer.unref();
  }

  /** Reads a whole piece into the cache of ready pieces (least recently read dropped first). */
  private readPiece(index: number): Promise<Buffer> {
    const pending = this.reading.get(index);
    if (pending) return pending;
    const t = this.t;
    const size = t.layout!.pieceSize(index);
    this.buffers ??= new UploadBuffers(t.layout!.pieceLengthBytes, this.readAheadPieces() * 2);
    const buffers = this.buffers;
    const into = buffers.take(size);
    const p = t.storage!.read(index, 0, size, into).then(
      (data) => {
        this.ready.set(index, data);
        this.cacheBytes += size;
        for (const [i, b] of this.ready) {
          if (this.cacheBytes <= PIECE_CACHE_BYTES || this.ready.size <= 1) break;
          this.ready.delete(i);
          this.cacheBytes -= b.length;
          buffers.drop(b);
        }
        return data;
      },
      (err: unknown) => {
        buffers.drop(into);
        throw err;
      },
    );
    this.reading.set(index, p);
    void p.then(
      () => this.reading.delete(index),
      () => this.reading.delete(index),
    );
    return p;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ready.clear();
    this.cacheBytes = 0;
    this.buffers?.clear();
  }
}
