import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { encodeHandshake, encodeMessage } from '../../src/wire/index.js';
import { makeTorrent, makeTree, startTorrent } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import type { Torrent } from '../../src/swarm/index.js';

let nextHost = 10;

/**
 * Connects a raw socket to a torrent, handshakes, sends `bytes`, and returns the reason the torrent dropped it.
 * Each call comes from its own loopback address: three violations from one address would ban it.
 */
async function dropReason(torrent: Torrent, bytes: Buffer): Promise<string> {
  const socket: Socket = connect({ host: '127.0.0.1', port: torrent.listenPort, localAddress: `127.0.0.${nextHost++}` });
  socket.on('error', () => undefined);
  socket.resume(); // read (and drop) what the torrent sends, so its close reaches us
  const reason = new Promise<string>((resolve) => torrent.once('peer:disconnect', (d) => resolve(d.reason)));
  await once(socket, 'connect');
  socket.write(encodeHandshake({ infoHash: torrent.infoHash, peerId: randomBytes(20), extended: false, fast: false, dht: false }));
  await new Promise<void>((resolve) => torrent.once('peer:connect', () => resolve()));
  socket.write(bytes);
  const [why] = await Promise.all([reason, once(socket, 'close')]);
  return why;
}

test('hostile peers are dropped with a logged reason, before anything large is allocated', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(0x7fffffff);
  assert.match(await dropReason(seed, huge), /^WIRE_TOO_LONG/);
  assert.match(await dropReason(seed, encodeMessage({ type: 'bitfield', bytes: Buffer.alloc(40) })), /^WIRE_BAD_LENGTH: bitfield is 40 bytes/);
  assert.match(await dropReason(seed, encodeMessage({ type: 'request', index: 0, begin: 0, length: 32 * 1024 })), /^WIRE_BAD_VALUE/);
  assert.match(await dropReason(seed, encodeMessage({ type: 'have', index: meta.pieceCount })), /^WIRE_BAD_VALUE/);
  assert.match(await dropReason(seed, encodeMessage({ type: 'extended', id: 0, payload: Buffer.from('not bencode') })), /^WIRE_BAD_EXTENDED/);
  assert.match(await dropReason(seed, Buffer.from([0, 0, 0, 1, 99])), /^WIRE_UNKNOWN_ID/);
  // The seed still serves honest peers afterwards.
  assert.equal(seed.stats().peers, 0);
});

test('a peer that answers for another torrent, or ourselves, is refused', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir });
  // Unknown info hash: the listener closes without answering.
  const socket = connect({ host: '127.0.0.1', port: seed.listenPort });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(encodeHandshake({ infoHash: randomBytes(20), peerId: randomBytes(20), extended: false, fast: false, dht: false }));
  let answered = 0;
  socket.on('data', (d: Buffer) => (answered += d.length));
  await once(socket, 'close');
  assert.equal(answered, 0);
  // Dialling our own port: the handshake carries our own peer id and the connection is dropped.
  const connects: string[] = [];
  seed.on('peer:connect', (d) => connects.push(d.key));
  const warning = new Promise<string>((resolve) => seed.on('warning', (w) => resolve(w.message)));
  seed.addPeers([{ host: '127.0.0.1', port: seed.listenPort }]);
  assert.match(await warning, new RegExp(`peer 127\\.0\\.0\\.1:${seed.listenPort}: `));
  assert.deepEqual(connects, []);
  assert.equal(seed.stats().peers, 0);
});
