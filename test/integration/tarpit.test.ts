import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { Tarpit } from '../../src/swarm/tarpit.js';
import { makeTorrent, makeTree, startTorrent } from '../helpers/peer-fixtures.js';
import { startAttack } from '../helpers/peer-attackers.js';
import { tempDir } from '../helpers/tmp.js';

/** A loopback server whose accepted sockets go to `onSocket`; resolves with its port. */
async function server(t: { after: (fn: () => void) => void }, onSocket: (s: Socket) => void): Promise<number> {
  const srv = createServer({ pauseOnConnect: true }, onSocket);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.after(() => srv.close());
  return (srv.address() as { port: number }).port;
}

/** Milliseconds until the server closes a fresh connection from `localAddress` (capped at `waitMs`). */
async function closedAfter(port: number, localAddress: string, waitMs: number): Promise<number> {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  socket.resume();
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, waitMs))]);
  socket.destroy();
  return Date.now() - started;
}

test('the tarpit holds a connection until holdMs, and past its caps closes at once', async (t) => {
  const tarpit = new Tarpit({ holdMs: 400, maxHeld: 3, maxHeldPerAddress: 2 });
  t.after(() => tarpit.clear());
  const port = await server(t, (s) => tarpit.hold(s, s.remoteAddress!));
  const a = [closedAfter(port, '127.0.0.2', 3_000), closedAfter(port, '127.0.0.2', 3_000)];
  await new Promise((r) => setTimeout(r, 100));
  assert.ok((await closedAfter(port, '127.0.0.2', 3_000)) < 200, 'a third from one address is closed at once');
  const b = closedAfter(port, '127.0.0.3', 3_000);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(tarpit.size, 3);
  assert.ok((await closedAfter(port, '127.0.0.4', 3_000)) < 200, 'past maxHeld in all, closed at once');
  for (const ms of await Promise.all([...a, b])) assert.ok(ms >= 350 && ms < 2_000, `held for about holdMs (${ms} ms)`);
  await new Promise((r) => setTimeout(r, 50)); // the server side's 'close' follows the client's
  assert.equal(tarpit.size, 0, 'every held connection released');
});

test('garbage peers that reconnect whenever closed stop churning once banned', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const attack = startAttack({ kind: 'garbage', count: 60, port: seed.listenPort, infoHash: seed.infoHash, pieceCount: meta.pieceCount, pieceLengthBytes: meta.pieceLengthBytes });
  t.after(() => attack.stop());
  await new Promise((r) => setTimeout(r, 2_000));
  // Without the tarpit they reconnect every 20 ms: about 2,500 connections a second on this machine. Held, each
  // of the 60 slots opens a handful (its three strikes and one held connection) and waits.
  assert.ok(attack.opened >= 60, 'the attack ran');
  assert.ok(attack.opened < 400, `the churn stopped: ${attack.opened} connections in 2 s`);
});
