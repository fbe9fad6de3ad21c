import type { Socket } from 'node:net';
import type { CipherPair } from '../mse/index.js';
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

  /** Keeps (copies) what arrives until the next `attach`: the MSE handshake hands the socket on this way. */
  detach(): void {
    this.sink = undefined;
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
    options: {
      pieceCount?: number;
      handshakeTimeoutMs: number;
      /** Incoming: the peer's handshake, already read by the listener. */
      remote?: Handshake;
      /** Bytes of the stream already read (and decrypted) by whoever had the socket before. */
      leftover?: Buffer;
      reader?: ReadBuffer;
      /** MSE with RC4 selected: every byte after the encryption handshake goes through these streams. */
      cipher?: CipherPair;
      /** Our BitTorrent handshake already went out (as the MSE initial payload). */
      handshakeSent?: boolean;
    },
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
    this.incomingRemote = options.remote;
    this.leftover = options.leftover;
    this.cipher = options.cipher;
    this.handshakeSent = options.handshakeSent ?? false;
  }

  private readonly handshakeTimeoutMs: number;
  private readonly reader?: ReadBuffer;
  private readonly incomingRemote?: Handshake;
  private leftover?: Buffer;
  private readonly cipher?: CipherPair;
  private readonly handshakeSent: boolean;

  /** True when the stream is RC4-encrypted (MSE). */
  get encrypted(): boolean {
    return this.cipher !== undefined;
  }

  /** Sends our handshake; called once the owner listens to this connection's events. */
  start(): void {
    this.timer = setTimeout(() => this.close('handshake timed out', new SwarmError('SWARM_TIMEOUT', 'handshake timed out')), this.handshakeTimeoutMs);
    if (!this.handshakeSent) this.write(encodeHandshake(this.local), true);
    if (this.incomingRemote) {
      // Incoming: the listener already read the peer's handshake to find the torrent; we have just answered it.
      this.remote = this.incomingRemote;
      this.opened();
    }
    // Bytes already read (and decrypted) come before anything still buffered in the reader.
    const leftover = this.leftover;
    this.leftover = undefined;
    if (leftover?.length) this.onPlain(leftover, false);
    this.reader?.attach((chunk, transient) => this.onData(chunk, transient));
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

  /**
   * Bytes from the socket. With RC4 they are decrypted in place: a reused read buffer or a chunk the socket
   * handed us, both ours to overwrite.
   */
  private onData(chunk: Buffer, transient: boolean): void {
    if (this.state === 'closed') return;
    this.cipher?.decrypt.process(chunk);
    this.onPlain(chunk, transient);
  }

  /** `transient`: the chunk lives in a reused buffer; only piece blocks (copied at once by the requester) stay views. */
  private onPlain(chunk: Buffer, transient: boolean): void {
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
    // encodeMessage may return a shared constant (keep-alive): not ours to encrypt in place.
    return this.write(encodeMessage(m), false);
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
    return this.write(out, true);
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
    this.write(encodePieceHeader(index, begin, block.length), true);
    // The block is the uploader's reused buffer: with RC4 an encrypted copy goes out instead.
    return this.write(block, false, flushed && (() => flushed()));
  }

  /**
   * Every byte we send goes through here, in order, so the RC4 stream stays in step with the peer's. Plaintext
   * connections write the buffer as it is; RC4 encrypts `owned` buffers in place and copies the others.
   */
  private write(buf: Buffer, owned: boolean, cb?: () => void): boolean {
    if (this.cipher) {
      const out = owned ? buf : Buffer.from(buf);
      this.cipher.encrypt.process(out);
      return this.socket.write(out, cb);
    }
    return this.socket.write(buf, cb);
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
