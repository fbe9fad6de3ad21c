/**
 * The DHT node: a thin shell that binds the UDP sockets (one per address family, BEP 32) and wires the pure
 * parts together: KRPC codec, routing tables, tokens, peer store, rate limiter and lookups.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { addressKey, type Contact, type Family, type PeerAddress } from './compact.js';
import { DHT_DEFAULTS, type DhtTunables } from './defaults.js';
import { DhtError } from './errors.js';
import type { KrpcQuery } from './krpc.js';
import type { LookupContact } from './lookup.js';
import { asNodeId, randomNodeId, type NodeId } from './node-id.js';
import { PeerStore } from './peer-store.js';
import { readState, writeState, type SavedState } from './persistence.js';
import { SourceLimiter } from '../util/source-limiter.js';
import { answerQuery } from './responder.js';
import { KrpcRpc, type RpcCounters } from './rpc.js';
import { RoutingTable, type InsertResult } from './routing-table.js';
import { bindUdp, type BindSocket } from './socket.js';
import { TokenPolicy } from './tokens.js';
import { traverse, type TraversalOptions } from './traversal.js';
import { AsyncQueue } from './async-queue.js';
import { checkPublicGuard, publicDhtForbidden, resolveBootstrap } from './bootstrap.js';

export interface DhtOptions extends Partial<DhtTunables> {
  /** IPv4 socket: host and UDP port to bind (default 0.0.0.0, port 0 = any free port); `false` for none. */
  ipv4?: { host?: string; port?: number } | false;
  /** IPv6 socket (BEP 32), off unless given. */
  ipv6?: { host?: string; port?: number } | false;
  /** Our node id; default: the saved one, else random. */
  id?: Buffer;
  /** Bootstrap nodes as HOST:PORT or [V6]:PORT; default: the public routers. Tests always pass their own. */
  bootstrap?: string[];
  /** BEP 43: queries carry ro=1, incoming queries are not answered. */
  readOnly?: boolean;
  /** Where the routing table is saved by `save()` and `stop()`, and loaded from by `start()`. */
  statePath?: string;
  /** Refuse to reach past loopback (see bootstrap.ts); default: `TANDEM_NO_PUBLIC_DHT=1` in the environment. */
  forbidPublic?: boolean;
}

/** Injected dependencies: tests pass their own clock, randomness or sockets. */
export interface DhtComponents {
  nowMs?: () => number;
  randomBytes?: (n: number) => Buffer;
  bindSocket?: BindSocket;
}

export interface DhtStats {
  id: string;
  nodes: Partial<Record<Family, number>>;
  storedPeers: number;
  storedInfoHashes: number;
  counters: RpcCounters;
}

export interface AnnounceResult {
  /** Nodes that accepted our announce_peer. */
  accepted: number;
  /** Peers learned on the way (the get_peers lookup that fetched the tokens). */
  peers: PeerAddress[];
}

interface Stack {
  family: Family;
  rpc: KrpcRpc;
  table: RoutingTable;
}

const MAX_PORT_PINGS_REMEMBERED = 4_096;
const VERSION = Buffer.from([0x54, 0x44, 0x00, 0x01]); // BEP 5 "v": client "TD", version 0.1

export class DhtNode {
  readonly options: DhtTunables & DhtOptions;
  private readonly now: () => number;
  private readonly randomBytes: (n: number) => Buffer;
  private readonly bindSocket: BindSocket;
  private stacks: Stack[] = [];
  private ownId: NodeId | undefined;
  private tokens!: TokenPolicy;
  private readonly peers: PeerStore;
  private readonly limiter: SourceLimiter;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopping = new AbortController();
  private readonly pinging = new Set<string>();
  private saved: SavedState | undefined;
  /** Why the state file could not be loaded at the last start(), if it could not (the caller may warn). */
  stateFileError: Error | undefined;
  /** BEP 5 PORT pings: when each address was last pinged, and how many are in flight. */
  private readonly portPinged = new Map<string, number>();
  private portPingsInFlight = 0;
  private lastSavedMs = 0;

  constructor(options: DhtOptions = {}, components: DhtComponents = {}) {
    this.options = { ...DHT_DEFAULTS, publicBootstrap: [...DHT_DEFAULTS.publicBootstrap], ...options } as DhtTunables & DhtOptions;
    this.now = components.nowMs ?? Date.now;
    this.randomBytes = components.randomBytes ?? cryptoRandomBytes;
    this.bindSocket = components.bindSocket ?? bindUdp;
    this.peers = new PeerStore(this.options);
    this.limiter = new SourceLimiter({ perSecond: this.options.rateLimitPerSecond, burst: this.options.rateLimitBurst, maxSources: this.options.rateLimitTrackedAddresses });
  }

  get id(): NodeId {
    if (!this.ownId) throw new DhtError('DHT_NOT_STARTED', 'the DHT node has no id before start()');
    return this.ownId;
  }

  get running(): boolean {
    return this.stacks.length > 0;
  }

  /** The bound address of each family's socket. */
  address(family: Family = 4): PeerAddress | undefined {
    return this.stacks.find((s) => s.family === family)?.rpc.socket.address();
  }

  /** Reads the saved routing table (`statePath`) so that `start()` reuses its id and nodes. */
  async load(): Promise<SavedState | undefined> {
    if (!this.options.statePath) return undefined;
    this.saved = await readState(this.options.statePath);
    return this.saved;
  }

  /** Writes the routing table to `statePath` (all families in one file). */
  async save(): Promise<void> {
    if (!this.options.statePath || !this.ownId) return;
    const nodes: Contact[] = this.stacks.flatMap((s) => s.table.all().filter((n) => s.table.status(n, this.now()) !== 'bad'));
    await writeState(this.options.statePath, { id: this.ownId, nodes: nodes.map(({ id, host, port }) => ({ id, host, port })) });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = new AbortController();
    // Every query in flight listens on this signal; their number is capped by maxQueriesInFlight instead.
    setMaxListeners(0, this.stopping.signal);
    if (this.options.statePath && !this.saved) {
      // A broken state file costs a slower start, not the node: it is overwritten by the next save.
      await this.load().catch((err: unknown) => (this.stateFileError = err as Error));
    }
    checkPublicGuard(this.options.bootstrap, this.saved?.nodes ?? [], this.options.forbidPublic ?? publicDhtForbidden());
    const nowMs = this.now();
    this.lastSavedMs = nowMs;
    this.ownId = this.options.id ? asNodeId(Buffer.from(this.options.id)) : (this.saved?.id ?? randomNodeId(this.randomBytes));
    this.tokens = new TokenPolicy(this.options, this.randomBytes, nowMs);
    const wanted: [Family, { host?: string; port?: number }][] = [];
    if (this.options.ipv4 !== false) wanted.push([4, this.options.ipv4 ?? {}]);
    if (this.options.ipv6) wanted.push([6, this.options.ipv6]);
    try {
      for (const [family, where] of wanted) {
        const socket = await this.bindSocket(family, where.host ?? (family === 6 ? '::' : '0.0.0.0'), where.port ?? 0);
        const table = new RoutingTable(this.ownId, this.options, nowMs);
        const stack: Stack = { family, table, rpc: undefined as unknown as KrpcRpc };
        stack.rpc = new KrpcRpc(socket, { ...this.options, ownId: this.ownId, readOnly: !!this.options.readOnly, version: VERSION }, (q, from) => this.onQuery(stack, q, from), this.randomBytes);
        this.stacks.push(stack);
      }
    } catch (err) {
      await this.close();
      throw err;
    }
    for (const n of this.saved?.nodes ?? []) this.stackFor(n.host)?.table.insert(n, 'query', nowMs);
    this.timer = setInterval(() => this.maintain(), this.options.maintenanceIntervalMs);
    this.timer.unref();
    void this.bootstrap().catch(() => {}); // failures are counted; lookups retry from whatever is known
  }

  async stop(): Promise<void> {
    if (this.ownId && this.stacks.length > 0) await this.save().catch(() => {});
    await this.close();
  }

  /** Closes every socket and timer without saving (a start() that failed half-way must not overwrite the file). */
  private async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    const stacks = this.stacks;
    this.stacks = [];
    await Promise.all(stacks.map((s) => s.rpc.close()));
  }

  /** Fills the routing tables: a find_node for our own id, seeded by known nodes and the bootstrap nodes. */
  async bootstrap(options: { signal?: AbortSignal } = {}): Promise<void> {
    const routers = await this.bootstrapContacts();
    await Promise.all(
      this.stacks.map((s) => {
        const seeds: LookupContact[] = [...s.table.closest(this.id, this.options.bucketSize, this.now()), ...routers.filter((r) => this.familyOf(r) === s.family)];
        return this.findNode(s, this.id, seeds, options.signal);
      }),
    );
  }

  /** Peers of `infoHash`, yielded as get_peers responses bring them (deduplicated), until the lookup ends. */
  async *lookup(infoHash: Buffer, options: { signal?: AbortSignal } = {}): AsyncGenerator<PeerAddress> {
    const queue = new AsyncQueue<PeerAddress>();
    const seen = new Set<string>();
    const local = new AbortController(); // the consumer may stop early: then the lookup stops too
    const signal = AbortSignal.any([this.signalWith(options.signal), local.signal]);
    setMaxListeners(0, signal);
    const run = this.getPeers(infoHash, signal, (p) => {
      const key = addressKey(p);
      if (seen.has(key)) return;
      seen.add(key);
      queue.push(p);
    }).then(
      () => queue.end(),
      (err: unknown) => queue.fail(err),
    );
    try {
      yield* queue;
    } finally {
      local.abort();
      await run.catch(() => {});
    }
  }

  /** Announces that `port` (or with impliedPort, our UDP source port) has peers of `infoHash` (BEP 5 announce_peer). */
  async announce(infoHash: Buffer, port: number, options: { signal?: AbortSignal; impliedPort?: boolean; onPeer?: (p: PeerAddress) => void } = {}): Promise<AnnounceResult> {
    if (this.options.readOnly) throw new DhtError('DHT_READ_ONLY', 'a read-only DHT node (BEP 43) does not announce', 'input');
    const signal = this.signalWith(options.signal);
    const peers = new Map<string, PeerAddress>();
    const lookups = await this.getPeers(infoHash, signal, (p) => {
      const key = addressKey(p);
      if (peers.has(key)) return;
      peers.set(key, p);
      options.onPeer?.(p);
    });
    let accepted = 0;
    await Promise.all(
      lookups.flatMap(({ stack, lookup }) =>
        lookup.closestResponded(this.options.announceFanout).map(async ({ contact, token }) => {
          if (!token) return;
          const args = { q: 'announce_peer' as const, infoHash, port, impliedPort: !!options.impliedPort, token };
          await stack.rpc.query(contact, args, { signal }).then(() => accepted++, () => {});
        }),
      ),
    );
    return { accepted, peers: [...peers.values()] };
  }

  /**
   * BEP 5 PORT: a peer says its DHT node listens at `address`. "The receiving node should attempt to ping the
   * node on the received port and IP address of the remote peer. If a response to the ping is received, the
   * node should attempt to insert the new contact information into their routing table according to the usual
   * rules." Each address is pinged at most once per `portPingIntervalMs`, and at most `maxPortPingsInFlight` at
   * once. Resolves true when the node answered (and was offered to the table).
   */
  async addNode(address: PeerAddress): Promise<boolean> {
    const stack = this.stackFor(address.host);
    const key = addressKey(address);
    const nowMs = this.now();
    if (!stack || !isIP(address.host) || !Number.isInteger(address.port) || address.port < 1 || address.port > 65535) return false;
    const last = this.portPinged.get(key);
    if ((last !== undefined && nowMs - last < this.options.portPingIntervalMs) || this.portPingsInFlight >= this.options.maxPortPingsInFlight) return false;
    this.portPinged.delete(key); // re-inserted: Map order is recency order, the oldest is forgotten first
    this.portPinged.set(key, nowMs);
    if (this.portPinged.size > MAX_PORT_PINGS_REMEMBERED) this.portPinged.delete(this.portPinged.keys().next().value!);
    this.portPingsInFlight++;
    try {
      const r = await stack.rpc.query(address, { q: 'ping' }, { signal: this.stopping.signal });
      this.noteResponse(stack, { id: r.id, host: address.host, port: address.port });
      return true;
    } catch {
      return false;
    } finally {
      this.portPingsInFlight--;
    }
  }

  stats(): DhtStats {
    const counters = Object.fromEntries(Object.keys(this.stacks[0]?.rpc.counters ?? {}).map((k) => [k, 0])) as unknown as RpcCounters;
    for (const s of this.stacks) for (const [k, v] of Object.entries(s.rpc.counters)) counters[k as keyof RpcCounters] += v;
    return {
      id: this.ownId?.toString('hex') ?? '',
      nodes: Object.fromEntries(this.stacks.map((s) => [s.family, s.table.size])),
      storedPeers: this.peers.peerCount(),
      storedInfoHashes: this.peers.infoHashCount,
      counters,
    };
  }

  /** The nodes in our routing table for one family (for diagnostics and tests). */
  nodes(family: Family = 4): Contact[] {
    return this.stacks.find((s) => s.family === family)?.table.all().map(({ id, host, port }) => ({ id, host, port })) ?? [];
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private lookupOptions(): TraversalOptions {
    const o = this.options;
    return { k: o.bucketSize, concurrency: o.lookupConcurrency, maxQueries: o.maxQueriesPerLookup, maxCandidates: o.maxLookupCandidates, softTimeoutMs: o.querySoftTimeoutMs };
  }

  private signalWith(signal?: AbortSignal): AbortSignal {
    if (!this.running) throw new DhtError('DHT_NOT_STARTED', 'the DHT node is not running');
    if (!signal) return this.stopping.signal;
    const merged = AbortSignal.any([signal, this.stopping.signal]);
    setMaxListeners(0, merged);
    return merged;
  }

  private async getPeers(infoHash: Buffer, signal: AbortSignal, onPeer: (p: PeerAddress) => void) {
    const routers = this.stacks.some((s) => s.table.size === 0) ? await this.bootstrapContacts() : [];
    return Promise.all(
      this.stacks.map(async (stack) => {
        const seeds: LookupContact[] = stack.table.closest(infoHash, this.options.bucketSize, this.now());
        if (seeds.length === 0) seeds.push(...routers.filter((r) => this.familyOf(r) === stack.family));
        const lookup = await traverse(stack.rpc, infoHash, 'get_peers', seeds, this.lookupOptions(), {
          onResponse: (r, from) => {
            this.noteResponse(stack, { id: r.id, host: from.host, port: from.port });
            for (const p of r.values ?? []) onPeer(p);
          },
          onFailure: (c) => c.id && this.noteFailure(stack, c.id),
        }, signal);
        return { stack, lookup };
      }),
    );
  }

  private async findNode(stack: Stack, target: Buffer, seeds: LookupContact[], signal?: AbortSignal): Promise<void> {
    await traverse(stack.rpc, target, 'find_node', seeds, this.lookupOptions(), {
      onResponse: (r, from) => this.noteResponse(stack, { id: r.id, host: from.host, port: from.port }),
      onFailure: (c) => c.id && this.noteFailure(stack, c.id),
    }, this.signalWith(signal));
  }

  private onQuery(stack: Stack, q: KrpcQuery, from: PeerAddress): void {
    const nowMs = this.now();
    if (!this.limiter.allow(from.host, nowMs)) {
      stack.rpc.counters.droppedRateLimited++;
      return;
    }
    if (this.options.readOnly) return; // BEP 43: a read-only node does not answer queries
    // BEP 43: a read-only querier is never added to routing tables.
    if (!q.readOnly) this.handleInsert(stack, stack.table.insert({ id: q.id, host: from.host, port: from.port }, 'query', nowMs));
    const answer = answerQuery(q, from, {
      ownId: this.id,
      family: stack.family,
      tables: Object.fromEntries(this.stacks.map((s) => [s.family, s.table])),
      tokens: this.tokens,
      peers: this.peers,
      bucketSize: this.options.bucketSize,
      maxValuesPerResponse: this.options.maxValuesPerResponse,
      nowMs,
    });
    if (answer.kind === 'response') stack.rpc.respond(from, q.t, answer.body);
    else stack.rpc.error(from, q.t, answer.code, answer.message);
  }

  private noteResponse(stack: Stack, c: Contact): void {
    this.handleInsert(stack, stack.table.insert(c, 'response', this.now()));
  }

  private noteFailure(stack: Stack, id: NodeId): void {
    stack.table.failed(id, this.now());
  }

  /** BEP 5: a full bucket with questionable nodes pings them, least recently seen first; two misses make one bad. */
  private handleInsert(stack: Stack, result: InsertResult): void {
    if (result.kind !== 'pending') return;
    const node = result.ping.find((n) => !this.pinging.has(n.id.toString('hex')));
    if (!node || this.pinging.size >= this.options.bucketSize * 4) return;
    const key = node.id.toString('hex');
    this.pinging.add(key);
    const attempt = (triesLeft: number): void => {
      stack.rpc.query(node, { q: 'ping' }, { signal: this.stopping.signal }).then(
        (r) => {
          this.pinging.delete(key);
          if (r.id.equals(node.id)) stack.table.insert(node, 'response', this.now());
        },
        () => {
          const status = stack.table.failed(node.id, this.now());
          if (status !== 'bad' && triesLeft > 0 && !this.stopping.signal.aborted) attempt(triesLeft - 1);
          else this.pinging.delete(key);
        },
      );
    };
    attempt(this.options.nodeMaxFailures - 1);
  }

  private maintain(): void {
    const nowMs = this.now();
    this.tokens.tick(nowMs);
    this.peers.expire(nowMs);
    // Saved now and then too, not only at stop(): a crash or a kill -9 still leaves a recent table for next time.
    if (this.options.statePath && nowMs - this.lastSavedMs >= this.options.stateSaveIntervalMs) {
      this.lastSavedMs = nowMs;
      void this.save().catch(() => {});
    }
    for (const stack of this.stacks) {
      if (stack.table.size === 0) {
        void this.bootstrap().catch(() => {});
        continue;
      }
      for (const target of stack.table.refreshTargets(nowMs, this.randomBytes)) {
        void this.findNode(stack, target, stack.table.closest(target, this.options.bucketSize, nowMs)).catch(() => {});
      }
      for (const n of stack.table.questionable(nowMs, 2)) this.handleInsert(stack, { kind: 'pending', ping: [n] });
    }
  }

  private stackFor(host: string): Stack | undefined {
    return this.stacks.find((s) => s.family === (isIP(host) === 6 ? 6 : 4));
  }

  private familyOf(p: PeerAddress): Family {
    return isIP(p.host) === 6 ? 6 : 4;
  }

  private bootstrapContacts(): Promise<PeerAddress[]> {
    return resolveBootstrap(this.options.bootstrap ?? this.options.publicBootstrap, this.options.forbidPublic ?? publicDhtForbidden());
  }
}
