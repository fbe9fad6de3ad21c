/**
 * A cap on the connections a server holds, which answers the connection past the cap at once with 503 and
 * `Retry-After` (RFC 9110 §15.6.4, §10.2.3) and closes it, rather than leaving it in the listen queue or dropping
 * it without a word (node's `server.maxConnections` does the latter). A client told to come back can; one whose
 * SYN sits unanswered waits out TCP's retransmissions, seconds each.
 *
 * Every plain-HTTP server of the process uses it: the file server (and through it `serve --seed`'s tracker), the
 * tracker's HTTP face and the node's control API.
 *
 * @example
 *   const gate = new ConnectionGate({ maxConnections: 1024 });
 *   net.createServer((socket) => { if (gate.admit(socket)) serve(socket); });
 */
import type { Server as NetServer, Socket } from 'node:net';
import { HTTP_DEFAULTS } from './defaults.js';

export interface ConnectionGateOptions {
  maxConnections: number;
  /** Sent in `Retry-After`. */
  retryAfterSeconds?: number;
  /** False for TLS: a plaintext 503 means nothing to a TLS client, so one past the cap is just closed. */
  answer?: boolean;
  /** Called when the server is full, before refusing: it may close an idle connection to make room. */
  makeRoom?: () => boolean;
}

export class ConnectionGate {
  private open = 0;
  private lingering = 0;
  private readonly refusal: Buffer;
  /** Connections answered 503 since start. */
  refused = 0;

  constructor(private readonly opts: ConnectionGateOptions) {
    const body = 'the server is busy; try again shortly\n';
    this.refusal = Buffer.from(
      `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
        `Retry-After: ${opts.retryAfterSeconds ?? HTTP_DEFAULTS.busyRetryAfterSeconds}\r\nConnection: close\r\n\r\n${body}`,
      'latin1',
    );
  }

  /** Connections held now (refused ones not counted). */
  get connections(): number {
    return this.open;
  }

  /**
   * Counts `socket` until it closes and returns true, or, when the server is full, answers it 503, closes it and
   * returns false (the caller must then leave the socket alone).
   */
  admit(socket: Socket): boolean {
    if (this.open >= this.opts.maxConnections && !this.opts.makeRoom?.()) {
      this.refuse(socket);
      return false;
    }
    this.open++;
    socket.once('close', () => void this.open--);
    return true;
  }

  private refuse(socket: Socket): void {
    this.refused++;
    socket.on('error', noop);
    if (this.opts.answer === false || this.lingering >= HTTP_DEFAULTS.maxLingeringRefusals) return void socket.destroy();
    // The answer goes before the request is read; what the client sends meanwhile is read and dropped, because a
    // close with unread bytes sends a reset that can destroy the 503 before the client reads it (RFC 9112 §9.6).
    this.lingering++;
    socket.once('close', () => void this.lingering--);
    socket.on('data', noop);
    socket.setTimeout(HTTP_DEFAULTS.refusalLingerMs, () => socket.destroy());
    socket.end(this.refusal);
  }
}

function noop(): void {}

/** The listener node's servers attach to 'connection' (node documents emitting 'connection' to inject a socket). */
export type ConnectionListener = (this: NetServer, socket: Socket) => void;

/**
 * Puts `gate` in front of a node server's own connection listener, so a connection past the cap never reaches
 * node:http or TLS. Returns node's listener, for a caller that serves some connections itself (the fast path).
 */
export function gateConnections(server: NetServer, gate: ConnectionGate, serve?: (socket: Socket, nodeListener: ConnectionListener) => void): ConnectionListener {
  const nodeListener = server.listeners('connection')[0] as ConnectionListener;
  server.removeListener('connection', nodeListener);
  server.on('connection', (socket: Socket) => {
    if (!gate.admit(socket)) return;
    if (serve) serve(socket, nodeListener);
    else nodeListener.call(server, socket);
  });
  return nodeListener;
}
