import { createServer, type Server, type Socket } from 'node:net';
import { acceptsPlaintext, dataEvents, MseError, MseResponder, req2Hash, runHandshake, selectFor, type CipherPair, type EncryptionPolicy } from '../mse/index.js';
import { decodeHandshake, HANDSHAKE_BYTES, WireError, type Handshake } from '../wire/index.js';
import { normaliseHost } from './address.js';
import { AddressGuard, DEFAULT_GUARD, type AddressGuardOptions } from './address-guard.js';
import { SwarmError } from './errors.js';
import { DEFAULT_TARPIT, Tarpit, type TarpitOptions } from './tarpit.js';

/**
 * What a torrent registers to be handed incoming connections for its info hash. `leftover`: bytes read after the
 * handshake (decrypted); `cipher`: MSE selected RC4, and the connection applies it to all that follows.
 */
export type IncomingHandler = (socket: Socket, remote: Handshake, leftover: Buffer, cipher?: CipherPair) => void;

/** BEP 3: a plaintext handshake opens with the byte 19 and "BitTorrent protocol". */
const PLAINTEXT_PREFIX = Buffer.concat([Buffer.from([19]), Buffer.from('BitTorrent protocol', 'latin1')]);

export interface ListenerInit {
  hosts: string[];
  port: number;
  handshakeTimeoutMs: number;
  /** Which incoming connections are accepted, and what an MSE responder selects (default `allow`). */
  encryption?: EncryptionPolicy;
  /** One line per failed incoming handshake (for --verbose); refusals by the guard are only counted. */
  warn?: (message: string) => void;
  /** Caps, flood limits and bans by source address, checked before a byte is read (address-guard.ts). */
  guard?: AddressGuardOptions;
  /** How connections from banned addresses are held before they are closed (tarpit.ts). */
  tarpit?: TarpitOptions;
}

/**
 * Resolves with at least `bytes` bytes (`have` first), reading from the socket with `transform` (decryption)
 * applied to each new chunk; undefined if the socket closes first. The socket is left paused.
 */
function readAtLeast(socket: Socket, have: Buffer, bytes: number, transform?: (chunk: Buffer) => void): Promise<Buffer | undefined> {
  if (have.length >= bytes) return Promise.resolve(have);
  return new Promise((resolve) => {
    const chunks = [have];
    let n = have.length;
    const finish = (value: Buffer | undefined): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      transform?.(chunk);
      chunks.push(chunk);
      n += chunk.length;
      if (n >= bytes) finish(Buffer.concat(chunks));
    };
    const onClose = (): void => finish(undefined);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** MSE failures that say nothing bad of the peer: a policy mismatch, a torrent we do not have, a closed socket. */
const NOT_VIOLATIONS = new Set(['MSE_PLAINTEXT_REFUSED', 'MSE_UNKNOWN_TORRENT', 'MSE_NO_COMMON_METHOD', 'MSE_CLOSED']);

/**
 * Whether a failed incoming handshake counts against the address: bytes that are no handshake at all do; a policy
 * refusal (plaintext where encryption is required) or a torrent we do not have does not.
 */
function isViolation(err: Error): boolean {
  if (err instanceof MseError) return !NOT_VIOLATIONS.has(err.code);
  return err instanceof WireError || (err instanceof SwarmError && err.code === 'SWARM_HANDSHAKE');
}

/** A wildcard address: listening on it means every interface of that family. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * Accepts peer connections on one port for any number of torrents: reads the 68-byte handshake (with a time
 * limit and a size bound), finds the torrent by info hash and hands the socket over. A connection that does not
 * open with BEP 3's plaintext prefix is taken for an MSE handshake (its first bytes are Ya): the responder finds
 * the torrent from req2 ^ req3, and the BitTorrent handshake follows inside the encrypted stream. IPv4 and IPv6: the first
 * host picks the port (0: any free one) and the others share it, so a peer reaches us at one port whatever the
 * family. A host whose address family the machine lacks (no IPv6) is skipped, unless it is the only one.
 */
export class PeerListener {
  private servers: Server[] = [];
  /** The hosts actually bound, in the order given (a skipped family is left out). */
  hosts: string[] = [];
  private readonly torrents = new Map<string, IncomingHandler>();
  /** MSE: HASH('req2', info hash) → info hash, for the responder to find the torrent. */
  private readonly byReq2 = new Map<string, Buffer>();
  private readonly pending = new Set<Socket>();
  private readonly encryption: EncryptionPolicy;
  private readonly guard: AddressGuard;
  private readonly tarpit: Tarpit;
  port = 0;

  constructor(private readonly options: ListenerInit) {
    this.encryption = options.encryption ?? 'allow';
    this.guard = new AddressGuard(options.guard ?? DEFAULT_GUARD);
    this.tarpit = new Tarpit(options.tarpit ?? DEFAULT_TARPIT);
  }

  /** A protocol violation by `host` (garbage, a broken handshake, bad data): enough of them ban it for a while. */
  strike(host: string): void {
    if (this.guard.strike(normaliseHost(host), Date.now())) this.options.warn?.(`${host} is banned for a while: repeated protocol violations`);
  }

  register(infoHash: Buffer, handler: IncomingHandler): void {
    this.torrents.set(infoHash.toString('hex'), handler);
    this.byReq2.set(req2Hash(infoHash).toString('hex'), infoHash);
  }

  unregister(infoHash: Buffer): void {
    this.torrents.delete(infoHash.toString('hex'));
    this.byReq2.delete(req2Hash(infoHash).toString('hex'));
  }

  async start(): Promise<number> {
    let port = this.options.port;
    for (const host of this.options.hosts) {
      // Paused until admitted: a refused socket is closed without a read ever being started on it.
      const server = createServer({ pauseOnConnect: true }, (s) => this.accept(s));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        // A host without that address family (no IPv6 on the machine) is skipped, unless it is the only one.
        if (this.servers.length === 0 && host === this.options.hosts.at(-1)) {
          throw new SwarmError('SWARM_LISTEN', `cannot listen on ${host}:${port}: ${(err as Error).message}`, 'runtime', { cause: err });
        }
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SwarmError('SWARM_LISTEN', `port ${port} on ${host} is in use`, 'input', { cause: err });
        continue;
      }
      port = (server.address() as { port: number }).port;
      this.servers.push(server);
      this.hosts.push(host);
    }
    this.port = port;
    return port;
  }

  private accept(socket: Socket): void {
    const host = normaliseHost(socket.remoteAddress ?? '?');
    // Refused for the price of an accept: nothing is read, nothing is logged per connection. A banned address is
    // held in the tarpit, so a client that reconnects whenever it is closed stops churning.
    const refusal = this.guard.admit(host, Date.now());
    if (refusal === 'banned') return this.tarpit.hold(socket, host);
    if (refusal) return void socket.destroy();
    socket.once('close', () => this.guard.closed(host));
    this.pending.add(socket);
    // One time limit for all of it: the MSE handshake, if any, and the BitTorrent handshake.
    const timer = setTimeout(() => socket.destroy(new Error(`handshake not finished within ${this.options.handshakeTimeoutMs} ms`)), this.options.handshakeTimeoutMs);
    socket.on('error', () => socket.destroy());
    void this.admit(socket)
      .catch((err: Error) => {
        this.options.warn?.(`incoming connection from ${socket.remoteAddress}: ${err.message}`);
        if (isViolation(err)) this.strike(host);
        socket.destroy();
      })
      .finally(() => {
        clearTimeout(timer);
        this.pending.delete(socket);
      });
  }

  /** Tells plaintext from MSE by the first 20 bytes, runs the responder for MSE, then hands the socket over. */
  private async admit(socket: Socket): Promise<void> {
    const head = await readAtLeast(socket, Buffer.alloc(0), PLAINTEXT_PREFIX.length);
    if (!head) return;
    if (head.subarray(0, PLAINTEXT_PREFIX.length).equals(PLAINTEXT_PREFIX)) {
      if (!acceptsPlaintext(this.encryption)) throw new MseError('MSE_PLAINTEXT_REFUSED', 'refused a plaintext handshake: encryption is required (--encryption require)');
      const all = await readAtLeast(socket, head, HANDSHAKE_BYTES);
      if (all) this.handOver(socket, all);
      return;
    }
    const responder = new MseResponder({
      findInfoHash: (req2) => this.byReq2.get(req2.toString('hex')),
      select: (provide) => selectFor(this.encryption, provide),
    });
    const done = await runHandshake(socket, responder, { source: dataEvents(socket), timeoutMs: this.options.handshakeTimeoutMs, received: head });
    const decrypt = done.cipher?.decrypt;
    // The BitTorrent handshake rides in IA, or follows it in the (decrypted) stream.
    const all = await readAtLeast(socket, done.payload, HANDSHAKE_BYTES, decrypt && ((chunk) => decrypt.process(chunk)));
    if (all) this.handOver(socket, all, done.cipher, done.infoHash);
  }

  private handOver(socket: Socket, all: Buffer, cipher?: CipherPair, mseInfoHash?: Buffer): void {
    const remote = decodeHandshake(all);
    if (mseInfoHash && !remote.infoHash.equals(mseInfoHash)) throw new SwarmError('SWARM_HANDSHAKE', 'the handshake names another torrent than the encryption handshake did');
    const handler = this.torrents.get(remote.infoHash.toString('hex'));
    if (!handler) return void socket.destroy();
    socket.pause();
    handler(socket, remote, all.subarray(HANDSHAKE_BYTES), cipher);
    socket.resume();
  }

  async stop(): Promise<void> {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    this.tarpit.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
    this.hosts = [];
  }
}
