import type { Socket } from 'node:net';
import {
  decodeHandshake,
  decodeMessage,
  encodeHandshake,
  encodeMessage,
  encodePieceHeader,
  Framer,
  HANDSHAKE_BYTES,
  maxFrameBytes,
  MessageId,
  WireError,
  type Handshake,
  type Message,
} from '../wire/index.js';
import { SwarmError } from './errors.js';
import { TypedEmitter } from './events.js';

/** Bytes a dialled connection reads at once into its reused buffer. */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * One reused receive buffer for a dialled socket (`net.connect`'s `onread`): a download then allocates nothing per
 * read, where a plain socket allocates 64 KiB each time (1 GiB of garbage per GiB received). Bytes are handed on
 * as views that the next read overwrites, so the connection copies out whatever it keeps.
 */
export class ReadBuffer {
  private sink?: (chunk: Buffer, transient: boolean) => void;
  /** Bytes that arrived before a connection took over, copied. */
  private early: Buffer[] = [];
  readonly onread = {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback: (bytes: number, buf: Buffer): boolean => {
      const chunk = buf.subarray(0, bytes);
      if (this.sink) this.sink(chunk, true);
      else this.early.push(Buffer.from(chunk));
      return true;
    },
  };

  attach(sink: (chunk: Buffer, transient: boolean) => void): void {
    this.sink = sink;
    for (const chunk of this.early.splice(0)) sink(chunk, false);
  }
}

export interface ConnectionEvents {
  handshake: Handshake;
  message: Message;
  /** Bytes of block payload received (for rates), counted as they arrive. */
  drain: undefined;
  close: { reason: string; error?: Error };
}

/**
 * One peer connection: a state machine over the wire codec that owns its socket and nothing else (DESIGN.md §5).
 * States: handshaking → open → closed. It frames and decodes what arrives, encodes what is sent, and drops the
 * peer with a logged reason on any protocol violation (a message over its limit, a bad handshake, a timeout).
 * What the messages mean is the torrent's business.
 */
export class PeerConnection extends TypedEmitter<ConnectionEvents> {
  private readonly framer: Framer;
  private state: 'handshaking' | 'open' | 'closed' = 'handshaking';
  private pieceCount?: number;
  remote?: Handshake;
  lastReceivedMs = Date.now();
  lastSentMs = Date.now();
  private timer?: NodeJS.Timeout;
  private paused = false;

  constructor(
    readonly socket: Socket,
    readonly outgoing: boolean,
    private readonly local: Handshake,
    options: { pieceCount?: number; handshakeTimeoutMs: number; remote?: Handshake; leftover?: Buffer; reader?: ReadBuffer },
  ) {
    super();
    this.pieceCount = options.pieceCount;
    this.framer = new Framer(maxFrameBytes({ pieceCount: this.pieceCount }));
    socket.setNoDelay(true);
    this.reader = options.reader;
    if (!this.reader) socket.on('data', (chunk: Buffer) => this.onData(chunk, false));
    socket.on('drain', () => this.emit('drain', undefined));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`, err));
    socket.on('close', () => this.close('connection closed by peer'));
    this.handshakeTimeoutMs = options.handshakeTimeoutMs;
    this.incoming = options.remote ? { remote: options.remote, leftover: options.leftover } : undefined;
  }

  private readonly handshakeTimeoutMs: number;
  private readonly reader?: ReadBuffer;
  private readonly incoming?: { remote: Handshake; leftover?: Buffer };

  /** Sends our handshake; called once the owner listens to this connection's events. */
  start(): void {
    this.timer = setTimeout(() => this.close('handshake timed out', new SwarmError('SWARM_TIMEOUT', 'handshake timed out')), this.handshakeTimeoutMs);
    this.socket.write(encodeHandshake(this.local));
    this.reader?.attach((chunk, transient) => this.onData(chunk, transient));
    if (this.incoming) {
      // Incoming: the listener already read the peer's handshake to find the torrent; we have just answered it.
      this.remote = this.incoming.remote;
      this.opened();
      if (this.incoming.leftover?.length) this.onData(this.incoming.leftover, false);
    }
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** BEP 9: after metadata arrives the bitfield and index limits become exact. */
  setPieceCount(n: number): void {
    this.pieceCount = n;
    this.framer.maxFrameBytes = maxFrameBytes({ pieceCount: n });
  }

  private opened(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.state = 'open';
    this.emit('handshake', this.remote!);
  }

  /** `transient`: the chunk lives in a reused buffer; only piece blocks (copied at once by the requester) stay views. */
  private onData(chunk: Buffer, transient: boolean): void {
    if (this.state === 'closed') return;
    this.lastReceivedMs = Date.now();
    this.framer.push(chunk);
    try {
      this.takeFrames(transient);
    } finally {
      if (transient) this.framer.detach();
    }
  }

  private takeFrames(transient: boolean): void {
    try {
      if (this.state === 'handshaking') {
        const taken = this.framer.take(HANDSHAKE_BYTES);
        if (!taken) return;
        const hs = transient ? Buffer.from(taken) : taken;
        const remote = decodeHandshake(hs);
        if (!remote.infoHash.equals(this.local.infoHash)) throw new SwarmError('SWARM_HANDSHAKE', 'peer answered for another torrent');
        if (remote.peerId.equals(this.local.peerId)) throw new SwarmError('SWARM_HANDSHAKE', 'connected to ourselves');
        this.remote = remote;
        this.opened();
      }
      // Bounded by the bytes buffered: each frame consumes at least its 4-byte prefix.
      for (let body = this.framer.next(); body && this.state === 'open'; body = this.framer.next()) {
        // Every message but a piece may be kept (a bitfield, metadata, PEX): out of a reused buffer it is copied.
        const own = transient && body[0] !== MessageId.piece ? Buffer.from(body) : body;
        this.emit('message', decodeMessage(own, { pieceCount: this.pieceCount }));
      }
    } catch (err) {
      if (err instanceof WireError || err instanceof SwarmError) this.close(`${err.code}: ${err.message}`, err);
      else this.close(`internal error: ${(err as Error).message}`, err as Error);
    }
  }

  /** Sends a message; returns false when the socket's buffer is full (wait for 'drain'). */
  send(m: Message): boolean {
    if (this.state === 'closed') return false;
    this.lastSentMs = Date.now();
    return this.socket.write(encodeMessage(m));
  }

  /** Sends many BEP 3 requests in one write. */
  sendRequests(reqs: { index: number; begin: number; length: number }[]): boolean {
    if (this.state === 'closed' || reqs.length === 0) return false;
    this.lastSentMs = Date.now();
    const out = Buffer.allocUnsafe(reqs.length * 17);
    let o = 0;
    for (const r of reqs) {
      out.writeUInt32BE(13, o);
      out[o + 4] = MessageId.request;
      out.writeUInt32BE(r.index, o + 5);
      out.writeUInt32BE(r.begin, o + 9);
      out.writeUInt32BE(r.length, o + 13);
      o += 17;
    }
    return this.socket.write(out);
  }

  /**
   * Sends a block with its 13-byte header, the block itself not copied (DESIGN.md §6). `flushed` is called once
   * the socket no longer holds the block (written to the kernel, or the connection failed), never before.
   */
  sendPiece(index: number, begin: number, block: Buffer, flushed?: () => void): boolean {
    if (this.state === 'closed') {
      flushed?.();
      return false;
    }
    this.lastSentMs = Date.now();
    this.socket.write(encodePieceHeader(index, begin, block.length));
    return this.socket.write(block, flushed && (() => flushed()));
  }

  /** Batches writes into one send (DESIGN.md §6). */
  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    process.nextTick(() => this.socket.uncork());
  }

  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** Stops reading (download rate limit); TCP flow control then slows the sender. */
  pauseReading(): void {
    if (!this.paused && this.state !== 'closed') {
      this.paused = true;
      this.socket.pause();
    }
  }

  resumeReading(): void {
    if (this.paused && this.state !== 'closed') {
      this.paused = false;
      this.socket.resume();
    }
  }

  close(reason: string, error?: Error): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.timer);
    this.socket.destroy();
    this.emit('close', { reason, error });
    this.removeAllListeners();
  }
}
