import type { Socket } from 'node:net';
import type { Metainfo } from '../metainfo/index.js';
import type { CipherPair } from '../mse/index.js';
import { FileStorage, PieceLayout, checkExisting, saveResume, snapshotResume, type PieceStorage } from '../storage/index.js';
import { Bitfield, WireError, type Handshake, type PeerAddress } from '../wire/index.js';
import { addressKey, normaliseHost } from './address.js';
import { ChokeRound } from './choking.js';
import { PeerConnection } from './connection.js';
import { Dialer } from './dialer.js';
import { DEFAULT_CONFIG, DEFAULT_LISTEN_HOSTS, type SwarmConfig } from './defaults.js';
import { Downloader } from './download.js';
import { piecePriorities, type FilePriority } from './file-priorities.js';
import { SwarmError } from './errors.js';
import { TypedEmitter } from './events.js';
import { handleMessage, greet, releaseAllowedFast } from './handlers.js';
import { checkStalled, makeRoomFor } from './peer-limits.js';
import { makePeerId } from './ids.js';
import { PeerListener } from './listener.js';
import { MetadataFetcher } from './metadata.js';
import { Peer } from './peer.js';
import { PieceBuffers } from './piece-buffers.js';
import { PiecePicker } from './picker.js';
import { SeedSpread } from './seed-spread.js';
import { withdrawOffers } from './seed-suggest.js';
import { ChainedLimit, RateMeter, TokenBucket, type RateLimit } from './rate.js';
import { Requester } from './requests.js';
import type { SwarmContext } from './swarm-context.js';
import type { TorrentComponents, TorrentEvents, TorrentInit, TorrentState, TorrentStats } from './types.js';
import { Uploader } from './upload.js';
import { WebSeeds } from './webseeds.js';
import { tracePiece } from '../util/piece-trace.js';

/**
 * One torrent's swarm: peers in and out, the picker, the choker, storage. Downloads what is wanted, seeds what it
 * has, and fetches metadata first for a magnet link. `start()` / `stop()`; typed events; `stats()`; `addPeers()` is
 * the seam trackers, the DHT and PEX feed.
 *
 * @example
 *   const t = new Torrent({ metainfo, dir: 'downloads', peers: [{ host: '127.0.0.1', port: 6881 }] });
 *   t.on('done', () => t.stop());
 *   await t.start();
 */
export class Torrent extends TypedEmitter<TorrentEvents> implements SwarmContext {
  readonly config: SwarmConfig;
  readonly infoHash: Buffer;
  readonly peerId: Buffer;
  readonly random: () => number;
  meta?: Metainfo;
  layout?: PieceLayout;
  storage?: PieceStorage;
  picker?: PiecePicker;
  spread?: SeedSpread;
  requester?: Requester;
  readonly peers = new Map<string, Peer>();
  readonly downMeter = new RateMeter();
  readonly upMeter = new RateMeter();
  /** The torrent's own limits (changed in place by `setLimits`), and what transfers spend: these and the node's. */
  readonly ownDown: TokenBucket;
  readonly ownUp: TokenBucket;
  readonly downBucket: RateLimit;
  readonly upBucket: RateLimit;
  /** Addresses and peer ids banned for the session (BEP-less, but every client does it). */
  readonly banned = new Set<string>();
  readonly strikes = new Map<string, number>();
  readonly allowedFastGrants = new Map<string, number>();
  state: TorrentState = 'stopped';
  readonly downloader: Downloader;
  readonly uploader: Uploader;
  readonly metadata: MetadataFetcher;
  readonly choker: ChokeRound;
  /** BEP 19 web seeds, used alongside peers once metadata is known. */
  readonly webSeeds: WebSeeds;
  private readonly dialer = new Dialer(this, (conn, key, address) => this.adopt(conn, key, address));
  private listener?: PeerListener;
  private ownListener = false;
  private timers: NodeJS.Timeout[] = [];
  private doneEmitted = false;
  private resumeDirty = false;
  private lastResumeSaveMs = 0;
  private saving: Promise<void> = Promise.resolve();

  constructor(
    readonly init: TorrentInit,
    private readonly components: TorrentComponents = {},
  ) {
    super();
    this.config = { ...DEFAULT_CONFIG, ...init.config };
    const hash = init.metainfo?.infoHashV1 ?? init.infoHash;
    if (!hash || hash.length !== 20) {
      throw new SwarmError('SWARM_METADATA', 'tandem joins v1 swarms: this torrent has no v1 info hash (v2-only swarms come later)', 'input');
    }
    this.infoHash = hash;
    this.peerId = components.peerId ?? makePeerId();
    this.random = components.random ?? Math.random;
    this.ownDown = new TokenBucket(init.downloadLimitBytesPerSec ?? 0);
    this.ownUp = new TokenBucket(init.uploadLimitBytesPerSec ?? 0);
    this.downBucket = components.downloadBucket ? new ChainedLimit([this.ownDown, components.downloadBucket]) : this.ownDown;
    this.upBucket = components.uploadBucket ? new ChainedLimit([this.ownUp, components.uploadBucket]) : this.ownUp;
    this.downloader = new Downloader(this);
    this.uploader = new Uploader(this);
    this.metadata = new MetadataFetcher(this);
    this.choker = new ChokeRound(this);
    this.webSeeds = new WebSeeds(this, init.webSeeds);
  }

  get listenPort(): number {
    return this.listener?.port ?? 0;
  }

  /** The addresses the listener is bound to (wildcards included as given). */
  get listenHosts(): string[] {
    return [...(this.listener?.hosts ?? [])];
  }

  async start(): Promise<void> {
    if (this.components.listener) this.listener = this.components.listener;
    else {
      this.listener = new PeerListener({
        hosts: [...(this.init.listenHosts ?? DEFAULT_LISTEN_HOSTS)],
        port: this.init.listenPort ?? 0,
        handshakeTimeoutMs: this.config.handshakeTimeoutMs,
        encryption: this.config.encryption,
        warn: (message) => this.warn(message),
        guard: this.config.guard,
      });
      this.ownListener = true;
      await this.listener.start();
    }
    this.listener.register(this.infoHash, (socket, remote, leftover, cipher) => this.accept(socket, remote, leftover, cipher));
    this.state = 'metadata';
    if (this.init.metainfo) await this.setMetadata(this.init.metainfo, false);
    this.addPeers(this.init.peers ?? []);
    this.timers.push(setInterval(() => this.tick(), this.config.tickMs));
    this.timers.push(setInterval(() => this.choker.round(Date.now()), this.config.chokeIntervalMs));
    this.timers.push(setInterval(() => this.sendPex(), this.config.pexIntervalMs));
    for (const t of this.timers) t.unref();
  }

  /** Called with the torrent's metadata: from the .torrent at start, or once fetched from peers (BEP 9). */
  async setMetadata(meta: Metainfo, fetched: boolean): Promise<void> {
    this.meta = meta;
    this.layout = PieceLayout.of(meta);
    this.picker = new PiecePicker(meta.pieceCount, { randomFirstPieces: this.config.randomFirstPieces, sequential: this.init.sequential ?? false, random: this.random });
    this.spread = new SeedSpread(meta.pieceCount, this.random);
    // Piece memory in flight: the partial pieces and the write queue, each of which may overshoot by a piece.
    const bufferBytes = this.config.maxPartialBytes + this.config.maxWriteQueueBytes + 2 * meta.pieceLengthBytes;
    const buffers = new PieceBuffers(meta.pieceLengthBytes, bufferBytes);
    this.requester = new Requester(this.picker, { blockBytes: this.config.blockBytes, pieceSize: (i) => this.layout!.pieceSize(i), maxPartialBytes: this.config.maxPartialBytes, buffers });
    const wantedFiles = this.applyOnlyFiles(meta);
    this.storage = this.components.storage?.(meta) ?? new FileStorage(this.init.dir, meta);
    this.emit('metadata', { name: meta.name, pieceCount: meta.pieceCount });
    // A listener may stop us on metadata (the node's magnet added paused): no file is created then.
    if ((this.state as TorrentState) === 'stopped') return;
    this.state = 'checking';
    await this.storage.open();
    const check = this.init.trustData
      ? { have: Bitfield.full(meta.pieceCount), source: 'resume' as const }
      : await checkExisting(this.init.dir, meta, this.infoHash, this.storage, {
          resume: this.components.resume,
          onProgress: (checked, total) => this.emit('check:progress', { checked, total }),
        });
    if ((this.state as TorrentState) === 'stopped') return;
    await this.storage.open(wantedFiles);
    for (const i of check.have.indexes()) this.picker.markHave(i);
    this.state = 'downloading';
    this.emit('ready', { piecesHave: this.picker.have.count, source: fetched && check.source === 'empty' ? 'new' : check.source });
    for (const peer of this.peers.values()) this.metadata.adoptPeer(peer);
    this.checkDone();
    if (!this.doneEmitted) await this.webSeeds.start(meta);
  }

  /** Sets piece priorities from `onlyFiles` and `filePriorities`; returns the files to create up front. */
  private applyOnlyFiles(meta: Metainfo): number[] {
    const only = this.init.onlyFiles;
    for (const i of only ?? []) {
      if (!Number.isInteger(i) || i < 0 || i >= meta.files.length) throw new SwarmError('SWARM_BAD_PEER', `--only: file ${i} does not exist (the torrent has ${meta.files.length})`, 'input');
    }
    this.picker!.setPriorities(piecePriorities(this.layout!, only, this.init.filePriorities));
    return only ?? meta.files.map((_, i) => i);
  }

  /** Changes file priorities while running: the picker's order changes at once, pieces under way carry on. */
  setFilePriorities(priorities: Record<number, FilePriority>): void {
    this.init.filePriorities = priorities;
    if (this.picker && this.layout) this.picker.setPriorities(piecePriorities(this.layout, this.init.onlyFiles, priorities));
  }

  /** The seam for peer sources (trackers, DHT, PEX, `--peer`): remember addresses and dial some. */
  addPeers(addresses: PeerAddress[]): void {
    this.dialer.add(addresses);
  }

  private accept(socket: Socket, remote: Handshake, leftover: Buffer, cipher?: CipherPair): void {
    const host = normaliseHost(socket.remoteAddress ?? '?');
    const key = addressKey({ host, port: socket.remotePort ?? 0 });
    if (this.state === 'stopped' || this.banned.has(remote.peerId.toString('hex')) || this.banned.has(key)) return void socket.destroy();
    // Our own dial reaching our own listener (a tracker or PEX listed us).
    if (remote.peerId.equals(this.peerId)) return void socket.destroy();
    if (!makeRoomFor(this, host)) return void socket.destroy();
    const conn = new PeerConnection(socket, false, this.localHandshake(), { pieceCount: this.meta?.pieceCount, handshakeTimeoutMs: this.config.handshakeTimeoutMs, remote, leftover, cipher });
    this.adopt(conn, key, undefined);
  }

  /**
   * BEP 5: the UDP port of our DHT node while one runs. It sets the handshake's DHT bit, and peers that set theirs
   * are sent a PORT message with it. Set before `start()` so every connection carries it.
   */
  localDhtPort: number | undefined;

  localHandshake(): Handshake {
    return { infoHash: this.infoHash, peerId: this.peerId, extended: true, fast: true, dht: this.localDhtPort !== undefined };
  }

  private adopt(conn: PeerConnection, key: string, address: PeerAddress | undefined): void {
    const peer = new Peer(key, conn, address, normaliseHost(conn.socket.remoteAddress ?? '?'));
    conn.on('handshake', (remote) => {
      const dup = [...this.peers.values()].some((p) => p !== peer && p.peerId?.equals(remote.peerId));
      if (dup || this.banned.has(remote.peerId.toString('hex'))) return conn.close(dup ? 'already connected to this peer' : 'banned');
      if (this.peers.has(key)) return conn.close('already connected to this address');
      this.peers.set(key, peer);
      tracePiece('connected', 0, peer.remoteHost);
      this.emit('peer:connect', { key, client: peer.clientName(), outgoing: conn.outgoing, encrypted: conn.encrypted });
      greet(this, peer);
      // BEP 5: "Upon receiving a handshake indicating the remote peer supports the DHT, the local peer should send a PORT message."
      if (this.localDhtPort !== undefined && remote.dht) conn.send({ type: 'port', port: this.localDhtPort });
    });
    conn.on('message', (m) => {
      peer.messages++;
      if (m.type === 'piece') peer.lastExchangeMs = Date.now();
      handleMessage(this, peer, m);
    });
    conn.on('drain', () => this.uploader.serve(peer));
    conn.on('close', ({ reason, error }) => {
      // Garbage on the wire counts against the address; repeat offenders are refused before their handshake.
      if (error instanceof WireError) this.listener?.strike(peer.remoteHost);
      this.dropped(peer, reason);
    });
    conn.start();
  }

  private dropped(peer: Peer, reason: string): void {
    if (this.peers.get(peer.key) !== peer) {
      // Never got past the handshake: not a peer of ours, but worth a line in the log.
      this.warn(`peer ${peer.key}: ${reason}`);
      return;
    }
    this.peers.delete(peer.key);
    this.requester?.releasePeer(peer.key);
    if (peer.pieces) this.picker?.removePeer(peer.pieces);
    this.metadata.peerGone(peer);
    this.emit('peer:disconnect', { key: peer.key, reason });
    this.dialer.peerGone(peer.key);
    releaseAllowedFast(this, peer);
    withdrawOffers(this, peer);
    if (!peer.amChoking) this.choker.onSlotFreed();
    for (const other of this.peers.values()) this.downloader.requestMore(other);
    this.dialer.connectMore();
  }

  /** A peer that sent bad data too often: dropped and never let back in this session. */
  ban(peer: Peer, reason: string): void {
    this.banned.add(peer.key);
    if (peer.listenAddress) this.banned.add(addressKey(peer.listenAddress));
    if (peer.peerId) this.banned.add(peer.peerId.toString('hex'));
    this.emit('peer:banned', { key: peer.key, reason });
    peer.conn.close(`banned: ${reason}`);
  }

  misbehaved(peer: Peer, reason: string): void {
    this.listener?.strike(peer.remoteHost);
    peer.conn.close(reason);
  }

  pieceFailed(index: number, peers: string[]): void {
    this.emit('piece:failed', { index, peers });
  }

  /** BEP 5 PORT: handed on for the DHT node (another component) to use. */
  dhtPort(peer: Peer, port: number): void {
    this.emit('peer:dht-port', { host: peer.remoteHost, port });
  }

  warn(message: string): void {
    this.emit('warning', { message });
  }

  fail(error: Error): void {
    this.emit('error', { error });
  }

  /** Announces a verified piece to peers, and checks whether the download is done. */
  pieceVerified(index: number): void {
    this.resumeDirty = true;
    this.emit('piece:verified', { index });
    tracePiece('verified', index, '');
    this.webSeeds.pieceVerified(index);
    for (const p of this.peers.values()) {
      if (!p.has(index)) p.conn.send({ type: 'have', index });
      this.downloader.updateInterest(p);
    }
    this.checkDone();
  }

  checkDone(): void {
    if (this.doneEmitted || !this.picker || this.picker.remaining() > 0 || this.downloader.writing > 0) return;
    this.doneEmitted = true;
    this.state = 'seeding';
    if (this.resumeDirty) void this.saveResumeNow();
    for (const p of this.peers.values()) {
      this.downloader.updateInterest(p);
      // Two seeds have nothing to trade.
      if (p.isSeed() && this.picker.have.complete) p.conn.close('both seeds');
    }
    this.emit('done', this.stats());
  }

  get isDone(): boolean {
    return this.doneEmitted;
  }

  private tick(): void {
    const now = Date.now();
    this.downloader.checkTimeouts(now);
    for (const p of this.peers.values()) {
      if (now - p.conn.lastSentMs > this.config.keepAliveIntervalMs) p.conn.send({ type: 'keepAlive' });
      if (now - p.conn.lastReceivedMs > this.config.idleTimeoutMs) p.conn.close('idle too long');
      else if (p.messages === 0 && now - p.connectedAtMs > this.config.firstMessageTimeoutMs) p.conn.close('sent nothing after its handshake');
      else checkStalled(this, p, now);
    }
    this.metadata.tick(now);
    this.webSeeds.tick(now);
    this.dialer.connectMore();
    if (this.resumeDirty && now - this.lastResumeSaveMs > this.config.resumeSaveIntervalMs) void this.saveResumeNow();
    this.emit('stats', this.stats());
  }

  /** Saves resume data; saves run one after another so an older one never lands last. */
  private saveResumeNow(): Promise<void> {
    if (!this.meta || !this.picker || !(this.storage instanceof FileStorage)) return Promise.resolve();
    this.resumeDirty = false;
    this.lastResumeSaveMs = Date.now();
    const meta = this.meta;
    const have = this.picker.have;
    const backend = this.components.resume;
    const save = backend
      ? async (): Promise<void> => backend.save(meta, this.infoHash, await snapshotResume(this.init.dir, meta, this.infoHash, have))
      : (): Promise<void> => saveResume(this.init.dir, meta, this.infoHash, have);
    this.saving = this.saving.then(() => save().catch((err: Error) => this.warn(`could not save resume data: ${err.message}`)));
    return this.saving;
  }

  private sendPex(): void {
    const listed = [...this.peers.values()].filter((p) => p.listenAddress).map((p) => p.listenAddress!);
    for (const p of this.peers.values()) this.metadata.sendPex(p, listed);
  }

  stats(): TorrentStats {
    const now = Date.now();
    let wantedBytes = 0;
    let verifiedBytes = 0;
    if (this.picker && this.layout) {
      for (let i = 0; i < this.layout.pieceCount; i++) {
        if (!this.picker.isWantedPiece(i)) continue;
        const size = this.layout.pieceSize(i);
        wantedBytes += size;
        if (this.picker.have.has(i)) verifiedBytes += size;
      }
    }
    const down = this.downMeter.rate(now);
    const peers = [...this.peers.values()];
    return {
      state: this.state,
      name: this.meta?.name,
      infoHash: this.infoHash.toString('hex'),
      pieceCount: this.meta?.pieceCount ?? 0,
      piecesHave: this.picker?.have.count ?? 0,
      wantedBytes,
      verifiedBytes,
      downloadRateBytesPerSec: down,
      uploadRateBytesPerSec: this.upMeter.rate(now),
      downloadedBytes: this.downMeter.total,
      uploadedBytes: this.upMeter.total,
      peers: peers.length,
      seeds: peers.filter((p) => p.isSeed()).length,
      etaSeconds: down > 0 ? Math.ceil((wantedBytes - verifiedBytes) / down) : undefined,
      listenPort: this.listenPort,
      webSeedBytes: this.webSeeds.bytes,
    };
  }

  /** Stops: closes every connection, waits for piece writes, saves resume data, closes files. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.listener?.unregister(this.infoHash);
    this.dialer.stop();
    for (const p of [...this.peers.values()]) p.conn.close('torrent stopped');
    // After the peers: a server's close waits for every connection it accepted to end.
    if (this.ownListener) await this.listener?.stop();
    this.uploader.stop();
    await this.webSeeds.stop();
    await this.downloader.drain();
    if (this.resumeDirty) await this.saveResumeNow();
    await this.saving;
    await this.storage?.close();
    this.removeAllListeners();
  }
}
