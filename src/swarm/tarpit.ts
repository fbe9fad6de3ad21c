import type { Socket } from 'node:net';

/**
 * Holds connections from banned addresses open, unread, for a while instead of closing them at once (issue 16).
 * A hostile client that reconnects as soon as it is closed (the garbage churn) would otherwise cost an accept and
 * a close every few milliseconds, on both ends; held, each of its connections costs one descriptor until
 * `holdMs` ends, and its loop stalls. Bounded in all and per address, so the tarpit itself cannot be used to
 * exhaust descriptors: past a cap a refused connection is closed at once, as before.
 */
export interface TarpitOptions {
  holdMs: number;
  maxHeld: number;
  maxHeldPerAddress: number;
}

export const DEFAULT_TARPIT: TarpitOptions = { holdMs: 30_000, maxHeld: 256, maxHeldPerAddress: 32 };

export class Tarpit {
  private readonly held = new Map<Socket, NodeJS.Timeout>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly options: TarpitOptions = DEFAULT_TARPIT) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds `socket` (paused, never read) from `host`, or closes it at once when a cap is reached. */
  hold(socket: Socket, host: string): void {
    const fromHost = this.perAddress.get(host) ?? 0;
    if (this.held.size >= this.options.maxHeld || fromHost >= this.options.maxHeldPerAddress) return void socket.destroy();
    this.perAddress.set(host, fromHost + 1);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.release(socket, host));
    this.held.set(socket, setTimeout(() => socket.destroy(), this.options.holdMs).unref());
  }

  /** Closes every held connection (the listener stops). */
  clear(): void {
    for (const socket of [...this.held.keys()]) socket.destroy();
  }

  private release(socket: Socket, host: string): void {
    clearTimeout(this.held.get(socket));
    this.held.delete(socket);
    const n = this.perAddress.get(host) ?? 0;
    if (n <= 1) this.perAddress.delete(host);
    else this.perAddress.set(host, n - 1);
  }
}
