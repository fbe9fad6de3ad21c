/**
 * The one thing the DHT needs from the OS: a bound UDP socket. Behind an interface so tests can inject their own
 * (a socket that drops packets, for instance); `bindUdp` is the real one.
 */
import { createSocket } from 'node:dgram';
import type { Family, PeerAddress } from './compact.js';

export interface DatagramSocket {
  readonly family: Family;
  send(datagram: Buffer, to: PeerAddress): void;
  /** Sets the single receiver of incoming datagrams. */
  onMessage(handler: (datagram: Buffer, from: PeerAddress) => void): void;
  address(): PeerAddress;
  close(): Promise<void>;
}

export type BindSocket = (family: Family, host: string, port: number) => Promise<DatagramSocket>;

export const bindUdp: BindSocket = (family, host, port) =>
  new Promise((resolve, reject) => {
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 });
    let handler: (d: Buffer, from: PeerAddress) => void = () => {};
    let closed = false;
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => handler(msg, { host: rinfo.address, port: rinfo.port }));
    socket.bind(port, host, () => {
      socket.off('error', reject);
      // Send errors (ICMP unreachable surfacing as EHOSTUNREACH...) are per packet: the query times out instead.
      socket.on('error', () => {});
      resolve({
        family,
        send(datagram, to) {
          if (!closed) socket.send(datagram, to.port, to.host, () => {});
        },
        onMessage(h) {
          handler = h;
        },
        address() {
          const a = socket.address();
          return { host: a.address, port: a.port };
        },
        close() {
          if (closed) return Promise.resolve();
          closed = true;
          return new Promise<void>((res) => socket.close(() => res()));
        },
      });
    });
  });
