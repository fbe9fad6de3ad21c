/**
 * One UDP socket bound to a fresh port for one transfer (RFC 1350 §4: each side picks a new transfer identifier),
 * locked to one remote, with a deadline timer. Packets from any other address get ERROR 5 and change nothing.
 * After each send to the remote it may keep the event loop polling for a short while (busy-poll-policy.ts), so a
 * peer that answers within microseconds is not kept waiting on this process's sleep and wake-up.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { loopSpinner } from '../util/loop-spinner.js';
import { BusyPollPolicy } from './busy-poll-policy.js';
import { TftpError } from './errors.js';
import { decodePacket, encodeError, ERR, type TftpPacket } from './packets.js';

export interface Remote {
  address: string;
  port: number;
}

/** How a transfer's shell behaves, beside the negotiated options: set by the server or the client, not the peer. */
export interface TransferTuning {
  /** Retransmissions of one packet before the transfer is given up. */
  maxRetries: number;
  /** How long to poll for the peer's reply after a send (BusyPollPolicy); 0 sleeps as usual. */
  busyPollMicros: number;
}

export interface EndpointHandlers {
  onPacket(packet: TftpPacket, nowMs: number): void;
  onTimer(nowMs: number): void;
  onMalformed(err: TftpError): void;
}

export const now = (): number => performance.now();

export class Endpoint {
  private socket?: Socket;
  private timer?: NodeJS.Timeout;
  private timerAtMs = Infinity;
  private closed = false;
  private readonly busyPoll: BusyPollPolicy;
  /** Set once the first packet from the remote has fixed its port (a client learns the server's TID that way). */
  remote?: Remote;

  /** @param busyPollMicros how long to poll for the remote's reply after a send (0: sleep as usual). */
  constructor(private readonly handlers: EndpointHandlers, busyPollMicros: number) {
    this.busyPoll = new BusyPollPolicy(busyPollMicros / 1000);
  }

  async open(host: string, remote?: Remote): Promise<number> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    this.socket = socket;
    this.remote = remote;
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', () => undefined); // ICMP errors surface here; the timeout handles a vanished peer
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket.address().port;
  }

  send(data: Buffer | Buffer[], to: Remote | undefined = this.remote): void {
    if (this.closed || !to) return;
    this.socket!.send(data, to.port, to.address);
    if (to !== this.remote) return;
    const pollUntilMs = this.busyPoll.onSend(now());
    if (pollUntilMs > 0) loopSpinner.pollUntil(pollUntilMs);
  }

  /** Sends an ERROR packet to the remote (RFC 1350 §7: it ends the transfer and is not acknowledged). */
  sendError(code: number, message: string): void {
    this.send(encodeError(code, message));
  }

  /** Makes sure the timer fires no later than `deadlineMs`. */
  schedule(deadlineMs: number): void {
    if (this.closed || !Number.isFinite(deadlineMs) || deadlineMs >= this.timerAtMs) return;
    clearTimeout(this.timer);
    this.timerAtMs = deadlineMs;
    this.timer = setTimeout(() => {
      this.timerAtMs = Infinity;
      this.handlers.onTimer(now());
    }, Math.max(0, deadlineMs - now()));
  }

  /**
   * Ends the endpoint at once; the socket itself closes a turn later. node:dgram resolves a send's address on the
   * next tick and drops the send if the socket has closed by then, so a last packet (the client's final ACK, an
   * ERROR) sent just before `close()` would never leave.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (socket) setImmediate(() => socket.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    if (!this.remote) this.remote = { address: rinfo.address, port: rinfo.port };
    else if (rinfo.address !== this.remote.address || rinfo.port !== this.remote.port) {
      // RFC 1350 §4: a packet from a stranger gets "unknown transfer ID" and the transfer goes on.
      this.send(encodeError(ERR.UNKNOWN_TID, 'unknown transfer ID'), { address: rinfo.address, port: rinfo.port });
      return;
    }
    const t = now();
    this.busyPoll.onReply(t);
    let packet: TftpPacket;
    try {
      packet = decodePacket(msg);
    } catch (err) {
      if (err instanceof TftpError) return this.handlers.onMalformed(err);
      throw err;
    }
    this.handlers.onPacket(packet, t);
  }
}
