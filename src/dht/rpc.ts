/**
 * The KRPC transport: one UDP socket, transaction ids, timeouts, and matching of responses to the queries we
 * sent. A thin shell: decoding is `krpc.ts`, deciding what to answer is the node's. Every datagram that is
 * oversized, malformed, or a response to nothing we asked is dropped and counted, never thrown.
 */
import { addressKey, type PeerAddress } from './compact.js';
import { DhtError } from './errors.js';
import { decodeMessage, encodeError, encodeQuery, encodeResponse, KrpcDecodeError, KRPC_ERROR, type KrpcQuery, type KrpcResponse, type QueryArgs, type ResponseBody } from './krpc.js';
import type { Family } from './compact.js';
import type { DatagramSocket } from './socket.js';

export interface RpcOptions {
  ownId: Buffer;
  queryTimeoutMs: number;
  maxQueriesInFlight: number;
  maxPacketBytes: number;
  readOnly: boolean;
  version: Buffer;
}

export interface RpcCounters {
  datagramsIn: number;
  datagramsOut: number;
  queriesSent: number;
  queriesAnswered: number;
  /** get_peers queries received (the benchmark counts lookups' cost on the receiving side). */
  getPeersReceived: number;
  timeouts: number;
  remoteErrors: number;
  droppedOversized: number;
  droppedMalformed: number;
  droppedUnsolicited: number;
  droppedRateLimited: number;
}

interface Pending {
  to: PeerAddress;
  resolve: (r: KrpcResponse) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  cleanup: () => void;
}

export type QueryHandler = (q: KrpcQuery, from: PeerAddress) => void;

export class KrpcRpc {
  readonly counters: RpcCounters = { datagramsIn: 0, datagramsOut: 0, queriesSent: 0, queriesAnswered: 0, getPeersReceived: 0, timeouts: 0, remoteErrors: 0, droppedOversized: 0, droppedMalformed: 0, droppedUnsolicited: 0, droppedRateLimited: 0 };
  private readonly pending = new Map<string, Pending>();
  private nextTid: number;
  private closed = false;

  constructor(
    readonly socket: DatagramSocket,
    private readonly opts: RpcOptions,
    private readonly onQuery: QueryHandler,
    randomBytes: (n: number) => Buffer,
  ) {
    this.nextTid = randomBytes(2).readUInt16BE(0);
    socket.onMessage((d, from) => this.receive(d, from));
  }

  get family(): Family {
    return this.socket.family;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a query and resolves with the response; rejects with DHT_TIMEOUT, KRPC_REMOTE_ERROR or DHT_ABORTED. */
  query(to: PeerAddress, args: QueryArgs, options: { signal?: AbortSignal; want?: Family[] } = {}): Promise<KrpcResponse> {
    if (this.closed) return Promise.reject(new DhtError('DHT_NOT_STARTED', 'the DHT node is stopped'));
    if (options.signal?.aborted) return Promise.reject(new DhtError('DHT_ABORTED', 'query aborted'));
    if (this.pending.size >= this.opts.maxQueriesInFlight) return Promise.reject(new DhtError('DHT_TOO_MANY_QUERIES', `${this.pending.size} queries already in flight`));
    const t = this.transactionId();
    const key = t.toString('hex');
    return new Promise<KrpcResponse>((resolve, reject) => {
      const onAbort = (): void => this.settle(key, new DhtError('DHT_ABORTED', 'query aborted'));
      const timer = setTimeout(() => {
        this.counters.timeouts++;
        this.settle(key, new DhtError('DHT_TIMEOUT', `no answer from ${addressKey(to)} within ${this.opts.queryTimeoutMs} ms`));
      }, this.opts.queryTimeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(key, { to, resolve, reject, timer, cleanup: () => options.signal?.removeEventListener('abort', onAbort) });
      this.counters.queriesSent++;
      this.send(encodeQuery(t, this.opts.ownId, args, { readOnly: this.opts.readOnly, want: options.want, version: this.opts.version }), to);
    });
  }

  respond(to: PeerAddress, t: Buffer, body: ResponseBody): void {
    this.counters.queriesAnswered++;
    this.send(encodeResponse(t, body, { ip: to, version: this.opts.version }), to);
  }

  error(to: PeerAddress, t: Buffer, code: number, message: string): void {
    this.send(encodeError(t, code, message), to);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.pending.keys()]) this.settle(key, new DhtError('DHT_ABORTED', 'the DHT node stopped'));
    await this.socket.close();
  }

  private transactionId(): Buffer {
    // Two bytes, as libtorrent uses; skip ids still in flight (there are far fewer than 65536 of them).
    for (;;) {
      this.nextTid = (this.nextTid + 1) & 0xffff;
      const t = Buffer.alloc(2);
      t.writeUInt16BE(this.nextTid);
      if (!this.pending.has(t.toString('hex'))) return t;
    }
  }

  private send(datagram: Buffer, to: PeerAddress): void {
    this.counters.datagramsOut++;
    this.socket.send(datagram, to);
  }

  private settle(key: string, result: KrpcResponse | Error): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.cleanup();
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  private receive(datagram: Buffer, from: PeerAddress): void {
    if (this.closed) return;
    this.counters.datagramsIn++;
    if (datagram.length > this.opts.maxPacketBytes) {
      this.counters.droppedOversized++;
      return;
    }
    let msg;
    try {
      msg = decodeMessage(datagram);
    } catch (err) {
      this.counters.droppedMalformed++;
      // BEP 5: a query we cannot understand gets a 203 protocol error, if it told us where to send one.
      if (err instanceof KrpcDecodeError && err.transactionId && !this.opts.readOnly) this.error(from, err.transactionId, KRPC_ERROR.protocol, err.message);
      return;
    }
    if (msg.y === 'q') {
      if (msg.q === 'get_peers') this.counters.getPeersReceived++;
      this.onQuery(msg, from);
      return;
    }
    const key = msg.t.toString('hex');
    const p = this.pending.get(key);
    // Only the address we asked may answer: anything else is a response to a query we never sent.
    if (!p || addressKey(p.to) !== addressKey(from)) {
      this.counters.droppedUnsolicited++;
      return;
    }
    if (msg.y === 'e') {
      this.counters.remoteErrors++;
      this.settle(key, new DhtError('KRPC_REMOTE_ERROR', `${addressKey(from)} answered error ${msg.code}: ${msg.message}`));
      return;
    }
    this.settle(key, msg);
  }
}
