import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePeerId, Torrent } from '../../src/swarm/index.js';
import { testConfig } from '../../src/swarm/defaults.js';
import { allowedFastSet } from '../../src/swarm/bep6-allowed-fast.js';
import { decodeHandshake, decodeMessage, encodeHandshake, encodeMessage, Framer, HANDSHAKE_BYTES, maxFrameBytes, type Message } from '../../src/wire/index.js';
import { makeTorrent, makeTree, startTorrent, whenDone } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

// A seed that never unchokes anyone: no choke rounds, no free slot for a newly interested peer.
const NEVER_UNCHOKE = { uploadSlots: 0, chokeIntervalMs: 3_600_000 };

/** A raw fast-extension peer over the wire codec: sends what it is told, collects what arrives. */
async function rawPeer(t: { after: (fn: () => void) => void }, port: number, infoHash: Buffer, pieceCount: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; next: (pred: (m: Message) => boolean, ms?: number) => Promise<Message> }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write(encodeHandshake({ infoHash, peerId: makePeerId(), extended: false, fast: true, dht: false }));
  const framer = new Framer(maxFrameBytes({ pieceCount }));
  const seen: Message[] = [];
  let handshaken = false;
  let wake = (): void => undefined;
  socket.on('data', (chunk: Buffer) => {
    framer.push(chunk);
    if (!handshaken) {
      const hs = framer.take(HANDSHAKE_BYTES);
      if (!hs) return;
      assert.equal(decodeHandshake(hs).fast, true);
      handshaken = true;
    }
    for (let body = framer.next(); body; body = framer.next()) seen.push(decodeMessage(body, { pieceCount }));
    wake();
  });
  /** The first message (in arrival order, each taken once) matching `pred`. */
  const next = async (pred: (m: Message) => boolean, ms = 10_000): Promise<Message> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = seen.findIndex(pred);
      if (i >= 0) return seen.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no such message in ${ms} ms; saw ${JSON.stringify(seen.map((m) => m.type))}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100).unref();
      });
    }
  };
  return { socket, next };
}

test('BEP 6: a seed names its allowed-fast set to a choked peer, serves those pieces while choked and rejects the rest', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 5);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: NEVER_UNCHOKE });
  const allowed = allowedFastSet('127.0.0.1', meta.infoHashV1!, meta.pieceCount, 10);
  assert.equal(allowed.length, 10);

  const peer = await rawPeer(t, seed.listenPort, meta.infoHashV1!, meta.pieceCount);
  await peer.next((m) => m.type === 'haveAll');
  const granted: number[] = [];
  for (let i = 0; i < allowed.length; i++) granted.push(((await peer.next((m) => m.type === 'allowedFast')) as { index: number }).index);
  assert.deepEqual(granted.sort((a, b) => a - b), [...allowed].sort((a, b) => a - b));

  peer.socket.write(encodeMessage({ type: 'interested' }));
  // Not the last piece: it may be shorter than the 16 KiB asked for, and rightly rejected.
  const inSet = allowed.find((i) => i !== meta.pieceCount - 1)!;
  const outside = [...Array(meta.pieceCount).keys()].find((i) => !allowed.includes(i))!;
  peer.socket.write(encodeMessage({ type: 'request', index: inSet, begin: 0, length: 16384 }));
  peer.socket.write(encodeMessage({ type: 'request', index: outside, begin: 0, length: 16384 }));
  const piece = (await peer.next((m) => m.type === 'piece')) as { index: number; begin: number; block: Buffer };
  const stream = Buffer.concat(await Promise.all(meta.files.map((f) => readFile(join(src, ...f.path)))));
  assert.equal(piece.index, inSet);
  assert.deepEqual(piece.block, stream.subarray(inSet * meta.pieceLengthBytes, inSet * meta.pieceLengthBytes + 16384));
  const reject = (await peer.next((m) => m.type === 'reject')) as { index: number };
  assert.equal(reject.index, outside);
  assert.equal(seed.stats().peers, 1, 'the peer is still choked, still connected');
});

test('BEP 6: a tandem leecher choked by a tandem seed fetches exactly its allowed-fast pieces, then the rest once unchoked', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 5);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: NEVER_UNCHOKE });
  const allowed = new Set(allowedFastSet('127.0.0.1', meta.infoHashV1!, meta.pieceCount, 10));
  const leecher = await startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.listenPort }] });
  const verified: number[] = [];
  const tenVerified = new Promise<void>((resolve) =>
    leecher.on('piece:verified', ({ index }) => {
      verified.push(index);
      if (verified.length === allowed.size) resolve();
    }),
  );
  await Promise.race([tenVerified, new Promise((_, reject) => setTimeout(() => reject(new Error(`verified only ${verified.join(',')}`)), 20_000).unref())]);
  assert.deepEqual(new Set(verified), allowed, 'every piece fetched while choked is in the allowed-fast set');
  assert.equal(leecher.isDone, false);
  // Unchoked, it completes: the allowed-fast pieces did not leave the download in a state it cannot finish.
  for (const p of seed.peers.values()) {
    p.amChoking = false;
    p.conn.send({ type: 'unchoke' });
  }
  await whenDone(leecher, 30_000);
  // Stopped here, not only by the after hooks: its resume file is written before the folder is removed.
  await leecher.stop();
  await seed.stop();
});

test('BEP 6: only two peers of one /24 are granted its allowed-fast set at once; a third gets it once one leaves', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir, 'content', 5));
  const seed = await startTorrent(t, { metainfo: meta, dir, config: NEVER_UNCHOKE });
  const grantedTo = async (peer: Awaited<ReturnType<typeof rawPeer>>): Promise<boolean> => {
    await peer.next((m) => m.type === 'haveAll');
    return peer.next((m) => m.type === 'allowedFast', 1_000).then(() => true, () => false);
  };
  const a = await rawPeer(t, seed.listenPort, meta.infoHashV1!, meta.pieceCount, '127.0.0.31');
  const b = await rawPeer(t, seed.listenPort, meta.infoHashV1!, meta.pieceCount, '127.0.0.32');
  const c = await rawPeer(t, seed.listenPort, meta.infoHashV1!, meta.pieceCount, '127.0.0.33');
  assert.deepEqual([await grantedTo(a), await grantedTo(b), await grantedTo(c)], [true, true, false]);
  a.socket.destroy();
  const until = Date.now() + 5_000;
  while (seed.stats().peers > 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const d = await rawPeer(t, seed.listenPort, meta.infoHashV1!, meta.pieceCount, '127.0.0.34');
  assert.equal(await grantedTo(d), true, 'the place a granted peer left is given again');
});

test('BEP 6: a leecher picks among the whole allowed-fast set that arrives in one read, not its first piece', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 5);
  const { meta } = await makeTorrent(src);
  assert.ok(meta.pieceCount >= 12, `${meta.pieceCount} pieces`);
  // The seed's side, by hand: its handshake, HAVE ALL and ten allowed-fast pieces in one write, and never an unchoke.
  const granted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const server = createServer((sock) => {
    sock.once('data', () => {
      sock.write(Buffer.concat([encodeHandshake({ infoHash: meta.infoHashV1!, peerId: makePeerId(), extended: false, fast: true, dht: false }), encodeMessage({ type: 'haveAll' }), ...granted.map((index) => encodeMessage({ type: 'allowedFast', index }))]));
    });
    const framer = new Framer(maxFrameBytes({ pieceCount: meta.pieceCount }));
    let handshaken = false;
    sock.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      if (!handshaken && !framer.take(HANDSHAKE_BYTES)) return;
      handshaken = true;
      for (let body = framer.next(); body; body = framer.next()) {
        const m = decodeMessage(body, { pieceCount: meta.pieceCount });
        if (m.type === 'request') server.emit('first-request', m.index);
      }
    });
    sock.on('error', () => undefined);
  });
  t.after(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  // Salts that fall with the piece index: among pieces of equal rank, the picker takes the highest index.
  let calls = 0;
  const random = (): number => 1 - ++calls / 1e6;
  const leecher = new Torrent({ listenHosts: ['127.0.0.1'], metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port }], config: testConfig() }, { random });
  t.after(() => leecher.stop());
  const first = once(server, 'first-request');
  await leecher.start();
  const [index] = (await Promise.race([first, new Promise((_, reject) => setTimeout(() => reject(new Error('no request within 10 s')), 10_000).unref())])) as [number];
  // Asked at the first allowed-fast message, it would be piece 1, the only one known then.
  assert.equal(index, 10, 'the highest-ranked piece of the whole set');
});
