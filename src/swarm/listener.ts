import { createServer, type Server, type Socket } from 'node:net';
import { decodeHandshake, HANDSHAKE_BYTES, type Handshake } from '../wire/index.js';
import { SwarmError } from './errors.js';

/** What a torrent registers to be handed incoming connections for its info hash. */
export type IncomingHandler = (socket: Socket, remote: Handshake, leftover: Buffer) => void;

/** A wildcard address: listening on it means every interface of that family. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * Accepts peer connections on one port for any number of torrents: reads the 68-byte handshake (with a time
 * limit and a size bound), finds the torrent by info hash and hands the socket over. IPv4 and IPv6: the first
 * host picks the port (0: any free one) and the others share it, so a peer reaches us at one port whatever the
 * family. A host whose address family the machine lacks (no IPv6) is skipped, unless it is the only one.
 */
export class PeerListener {
  private servers: Server[] = [];
  /** The hosts actually bound, in the order given (a skipped family is left out). */
  hosts: string[] = [];
  private readonly torrents = new Map<string, IncomingHandler>();
  private readonly pending = new Set<Socket>();
  port = 0;

  constructor(private readonly options: { hosts: string[]; port: number; handshakeTimeoutMs: number }) {}

  register(infoHash: Buffer, handler: IncomingHandler): void {
    this.torrents.set(infoHash.toString('hex'), handler);
  }

  unregister(infoHash: Buffer): void {
    this.torrents.delete(infoHash.toString('hex'));
  }

  async start(): Promise<number> {
    let port = this.options.port;
    for (const host of this.options.hosts) {
      const server = createServer((s) => this.accept(s));
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
    this.pending.add(socket);
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      this.pending.delete(socket);
    };
    const timer = setTimeout(() => {
      done();
      socket.destroy();
    }, this.options.handshakeTimeoutMs);
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes < HANDSHAKE_BYTES) return;
      done();
      const all = Buffer.concat(chunks);
      let remote: Handshake;
      try {
        remote = decodeHandshake(all);
      } catch {
        socket.destroy();
        return;
      }
      const handler = this.torrents.get(remote.infoHash.toString('hex'));
      if (!handler) {
        socket.destroy();
        return;
      }
      socket.pause();
      handler(socket, remote, all.subarray(HANDSHAKE_BYTES));
      socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  }

  async stop(): Promise<void> {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
    this.hosts = [];
  }
}
