import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

export interface Relay {
  port: number;
  /** Connections accepted so far. */
  connections: () => number;
  /** Every byte the dialling side sent, and every byte it received, in order (all connections). */
  fromDialer: () => Buffer;
  toDialer: () => Buffer;
}

/**
 * A TCP relay on 127.0.0.1 in front of `targetPort` that counts connections and records every byte each way: what
 * an observer of the wire would see. Closed when the test ends.
 */
export async function startRelay(t: { after: (fn: () => void) => void }, targetPort: number): Promise<Relay> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections++;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => {
        sockets.delete(s);
        (s === client ? upstream : client).destroy();
      });
    }
    client.on('data', (b: Buffer) => {
      up.push(b);
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => {
      down.push(b);
      client.write(b);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, connections: () => connections, fromDialer: () => Buffer.concat(up), toDialer: () => Buffer.concat(down) };
}
