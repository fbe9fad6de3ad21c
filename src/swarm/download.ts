import { createHash } from 'node:crypto';
import { sharedHashPool } from '../metainfo/index.js';
import { Bitfield } from '../wire/index.js';
import type { Peer } from './peer.js';
import { requestQueueDepth } from './rate.js';
import type { SwarmContext } from './swarm-context.js';
import { tracePiece } from '../util/piece-trace.js';

/**
 * The download side of a torrent: keeps each unchoked peer's request queue full, takes blocks in, hashes a piece
 * once when complete (on the hash pool's threads once the process hashes fast, so the main thread keeps moving
 * bytes: DESIGN.md §6), writes it once verified (positional writes) and only then counts it as had. A piece that
 * fails its hash is fetched again; its contributors take strikes and are banned past the limit.
 */
export class Downloader {
  /** Complete pieces being hashed or written; the download is not done, nor the piece had, until they land. */
  writing = 0;
  /** Bytes of complete pieces waiting for their hash or write: past the limit, no new requests go out (disk backpressure). */
  private writingBytes = 0;
  private readonly writes = new Set<Promise<void>>();
  /** Pieces being hashed or written, so a second source's copy of one is not written again. */
  private readonly inWrite = new Set<number>();
  private limitPaused = false;

  constructor(private readonly t: SwarmContext) {}

  /** Interested when the peer has a piece we want (BEP 3); not interested otherwise. */
  updateInterest(peer: Peer): void {
    const t = this.t;
    const want = Boolean(t.picker && peer.pieces && t.picker.interesting(peer.pieces));
    if (want !== peer.amInterested) {
      peer.amInterested = want;
      peer.conn.send({ type: want ? 'interested' : 'notInterested' });
    }
    if (want) this.requestMore(peer);
  }

  /**
   * requestMore once the messages already read from the peer are handled. A seed's unchoke comes with its SUGGESTs
   * right behind it, and an allowed-fast set one message per piece: asked at the first message, the picker chose
   * before the rest was known, and every client given one network's allowed-fast set asked the seed for its first
   * piece (in the lab, both clients of N = 2 started with the same piece in 5 runs of 5, so the seed sent it twice).
   */
  requestSoon(peer: Peer): void {
    if (peer.requestQueued) return;
    peer.requestQueued = true;
    queueMicrotask(() => {
      peer.requestQueued = false;
      this.requestMore(peer);
    });
  }

  requestMore(peer: Peer): void {
    const t = this.t;
    if (!t.requester || !peer.pieces || !peer.amInterested || !peer.conn.isOpen || t.state !== 'downloading') return;
    // Choked, only the pieces of the peer's allowed-fast set may be asked for (BEP 6).
    const pieces = peer.peerChoking ? this.allowedWhileChoked(peer) : peer.pieces;
    if (!pieces) return;
    if (this.writingBytes > t.config.maxWriteQueueBytes) return;
    const now = Date.now();
    const depth = requestQueueDepth({
      rateBytesPerSec: peer.down.rate(now),
      rttMs: peer.rttMs,
      blockBytes: t.config.blockBytes,
      queueSeconds: t.config.requestQueueSeconds,
      min: t.config.minRequestQueue,
      max: t.config.maxRequestQueue,
      peerReqq: peer.ext?.reqq,
    });
    const want = depth - t.requester.outstandingFor(peer.key);
    // Refill in batches, not one request per block received: fewer, larger writes.
    // Each socket write to a loopback peer costs a wake-up on both sides: refill in large batches.
    if (want < Math.max(1, Math.min(depth / 2, 64))) return;
    const idle = t.requester.outstandingFor(peer.key) === 0;
    const reqs = t.requester.next(peer.key, pieces, want, now, peer.suggestedIn);
    if (reqs.length === 0) return;
    // The snub clock and the round-trip estimate start from the first request after an idle spell.
    if (idle) peer.lastBlockMs = now;
    // One buffer and one write for the whole batch (DESIGN.md §6).
    for (const r of reqs) if (r.begin === 0) tracePiece('request-sent', r.index, peer.remoteHost);
    peer.conn.sendRequests(reqs);
  }

  /** The peer's allowed-fast pieces it has (BEP 6), as the picker's view of it; undefined when there are none. */
  private allowedWhileChoked(peer: Peer): Bitfield | undefined {
    const t = this.t;
    if (!peer.fast || peer.allowedFastIn.size === 0 || !t.meta) return undefined;
    const view = new Bitfield(t.meta.pieceCount);
    for (const i of peer.allowedFastIn) if (i < t.meta.pieceCount && peer.has(i)) view.set(i);
    return view.count > 0 ? view : undefined;
  }

  onBlock(peer: Peer, index: number, begin: number, block: Buffer): void {
    const t = this.t;
    if (!t.requester || !t.meta) return;
    const now = Date.now();
    peer.down.add(block.length, now);
    t.downMeter.add(block.length, now);
    const sent = peer.lastBlockMs;
    peer.lastBlockMs = now;
    peer.snubbed = false;
    // A rough round trip: the gap between blocks while the queue is full approximates per-block service time.
    peer.rttMs = 0.9 * peer.rttMs + 0.1 * Math.min(5000, now - sent);
    if (begin === 0) tracePiece('block-received', index, peer.remoteHost);
    const res = t.requester.receive(peer.key, index, begin, block, now);
    for (const other of res.cancelFrom) t.peers.get(other)?.conn.send({ type: 'cancel', index, begin, length: block.length });
    if (res.complete) this.pieceComplete(res.complete.index, res.complete.data, res.complete.contributors);
    this.applyDownloadLimit(block.length, now);
    this.requestMore(peer);
  }

  private pieceComplete(index: number, data: Buffer, contributors: string[]): void {
    const t = this.t;
    const expected = t.meta!.pieces!.subarray(index * 20, index * 20 + 20);
    const size = data.length;
    this.hold(index, size);
    // On a pool thread the buffer moves there and back without a copy; only the one handed back is used afterwards.
    // A slow process hashes on its own thread (the pool decides, from all of the process's hashing).
    const job = sharedHashPool()
      .sha1(data)
      .then(
        ({ digest, data: back }) => {
          if (t.state !== 'stopped' && digest.equals(expected)) return this.write(index, back, true);
          t.requester?.recycle(back);
          this.letGo(index, size);
          if (t.state !== 'stopped') this.hashFailed(index, contributors);
        },
        (err: Error) => {
          this.letGo(index, size);
          t.picker!.markLost(index);
          t.fail(err);
        },
      )
      .finally(() => this.writes.delete(job));
    this.writes.add(job);
  }

  /**
   * A whole piece from another source (a BEP 19 web seed): the same SHA-1 check (BEP 3) and write path as a piece
   * assembled from peers. 'bad' when it does not match its hash; 'duplicate' when the piece is already had or
   * being written (a peer delivered it first), so nothing is written twice.
   */
  acceptPiece(index: number, data: Buffer): 'ok' | 'bad' | 'duplicate' {
    const t = this.t;
    if (!t.meta?.pieces || !t.picker || t.state !== 'downloading') return 'duplicate';
    if (t.picker.have.has(index) || this.inWrite.has(index)) return 'duplicate';
    const expected = t.meta.pieces.subarray(index * 20, index * 20 + 20);
    if (!createHash('sha1').update(data).digest().equals(expected)) return 'bad';
    this.write(index, data);
    return 'ok';
  }

  /** Counts a complete piece as in flight (hashing or writing) until `letGo`. */
  private hold(index: number, bytes: number): void {
    this.writing++;
    this.writingBytes += bytes;
    this.inWrite.add(index);
  }

  private letGo(index: number, bytes: number): void {
    const t = this.t;
    this.inWrite.delete(index);
    this.writing--;
    const wasFull = this.writingBytes > t.config.maxWriteQueueBytes;
    this.writingBytes -= bytes;
    if (wasFull && this.writingBytes <= t.config.maxWriteQueueBytes) for (const p of t.peers.values()) this.requestMore(p);
    t.checkDone();
  }

  /** Writes a verified piece (`held`: already counted by `hold`); only once it is on disk does it count as had (DESIGN.md §8). */
  private write(index: number, data: Buffer, held = false): void {
    const t = this.t;
    if (!held) this.hold(index, data.length);
    const write = t
      .storage!.write(index, 0, data)
      .then(
        () => {
          if (t.state === 'stopped') return;
          t.picker!.markHave(index);
          t.pieceVerified(index);
        },
        (err: Error) => {
          t.picker!.markLost(index);
          t.fail(err);
        },
      )
      .finally(() => {
        t.requester?.recycle(data);
        this.writes.delete(write);
        this.letGo(index, data.length);
      });
    this.writes.add(write);
  }

  private hashFailed(index: number, contributors: string[]): void {
    const t = this.t;
    t.picker!.markLost(index);
    t.pieceFailed(index, contributors);
    // Each contributor takes a share of the blame; a peer that sent a whole bad piece alone takes a full strike.
    for (const key of contributors) {
      const strikes = (t.strikes.get(key) ?? 0) + 1 / contributors.length;
      t.strikes.set(key, strikes);
      const peer = t.peers.get(key);
      if (peer && strikes > t.config.maxHashFailures) t.ban(peer, `sent data failing the hash check ${Math.ceil(strikes)} times`);
    }
    for (const p of t.peers.values()) this.requestMore(p);
  }

  /** Download limit: when the bucket is empty, stop reading from every peer until it refills. */
  private applyDownloadLimit(bytes: number, now: number): void {
    const t = this.t;
    const waitMs = t.downBucket.take(bytes, now);
    if (waitMs <= 0 || this.limitPaused) return;
    this.limitPaused = true;
    for (const p of t.peers.values()) p.conn.pauseReading();
    setTimeout(() => {
      this.limitPaused = false;
      for (const p of t.peers.values()) p.conn.resumeReading();
    }, waitMs).unref();
  }

  /** Requests unanswered too long go to other peers; a peer silent too long is snubbed and loses all of them. */
  checkTimeouts(now: number): void {
    const t = this.t;
    if (!t.requester) return;
    if (this.limitPaused) return;
    const touched = new Set<string>();
    for (const { peer: key, request } of t.requester.expired(now, t.config.requestTimeoutMs)) {
      const peer = t.peers.get(key);
      if (peer && now - peer.lastBlockMs < t.config.requestTimeoutMs) continue;
      t.requester.release(key, request.index, request.begin);
      peer?.conn.send({ type: 'cancel', ...request });
      touched.add(key);
    }
    for (const peer of t.peers.values()) {
      if (t.requester.outstandingFor(peer.key) > 0 && now - peer.lastBlockMs > t.config.snubTimeoutMs && !peer.snubbed) {
        peer.snubbed = true;
        t.requester.releasePeer(peer.key);
        touched.add(peer.key);
      }
    }
    if (touched.size > 0) for (const p of t.peers.values()) if (!touched.has(p.key)) this.requestMore(p);
  }

  /** Waits for every piece write in flight. */
  async drain(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }
}
