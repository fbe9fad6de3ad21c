import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHandshake, encodeMessage } from '../../src/wire/index.js';
import { parseTorrent } from '../../src/metainfo/index.js';
import { DEFAULT_GUARD } from '../../src/swarm/address-guard.js';
import { makeTorrent, makeTree, startTorrent, treeHashes } from '../helpers/peer-fixtures.js';
import { startAttack, type AttackKind } from '../helpers/peer-attackers.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

/** Whether a connection from `localAddress` is answered at all (a refused one is closed before a byte comes back). */
async function answered(port: number, infoHash: Buffer, localAddress: string): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(encodeHandshake({ infoHash, peerId: randomBytes(20), extended: false, fast: false, dht: false }));
  let bytes = 0;
  socket.on('data', (d: Buffer) => (bytes += d.length));
  await Promise.race([once(socket, 'close'), new Promise((r) => setTimeout(r, 1_000))]);
  socket.destroy();
  return bytes > 0;
}

test('an address that sends garbage three times is banned before its handshake is read; others still connect', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir });
  for (let i = 0; i < 3; i++) {
    const socket = connect({ host: '127.0.0.1', port: seed.listenPort, localAddress: '127.0.0.66' });
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'connect');
    socket.write(Buffer.concat([encodeHandshake({ infoHash: seed.infoHash, peerId: randomBytes(20), extended: false, fast: false, dht: false }), Buffer.from([0, 0, 0, 1, 99])]));
    await once(socket, 'close');
  }
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.66'), false, 'the banned address gets nothing back');
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.67'), true, 'another address is answered');
});

test('the listener caps the connections open from one address, all torrents together, before reading a byte', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { maxPeersPerAddress: 100, guard: { ...DEFAULT_GUARD, maxConnectionsPerAddress: 4 } } });
  const open = [];
  for (let i = 0; i < 4; i++) {
    const socket = connect({ host: '127.0.0.1', port: seed.listenPort, localAddress: '127.0.0.70' });
    socket.on('error', () => undefined);
    t.after(() => socket.destroy());
    await once(socket, 'connect');
    socket.write(encodeHandshake({ infoHash: seed.infoHash, peerId: randomBytes(20), extended: false, fast: false, dht: false }));
    await once(socket, 'data');
    open.push(socket);
  }
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.70'), false, 'a fifth connection from the address is refused');
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.71'), true, 'another address is answered');
  open.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.70'), true, 'a closed connection frees a place');
});

test('a full torrent lets a newcomer in by evicting an idle peer; a peer that sends nothing is dropped', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { maxPeers: 4, firstMessageTimeoutMs: 1_500, eviction: { graceMs: 200, stalledMs: 5_000, silentMs: 60_000, recentMs: 30_000 } } });
  const reasons: string[] = [];
  seed.on('peer:disconnect', (d) => reasons.push(d.reason));
  const idle = startAttack({ kind: 'idle', count: 4, port: seed.listenPort, infoHash: seed.infoHash, pieceCount: meta.pieceCount, pieceLengthBytes: meta.pieceLengthBytes, hosts: 4 });
  t.after(() => idle.stop());
  const full = Date.now() + 5_000;
  while (seed.stats().peers < 4 && Date.now() < full) await new Promise((r) => setTimeout(r, 50));
  assert.equal(seed.stats().peers, 4, 'the idle peers fill every place');
  await new Promise((r) => setTimeout(r, 300)); // past their grace period
  assert.equal(await answered(seed.listenPort, seed.infoHash, '127.0.0.1'), true, 'a newcomer from a new address gets in');
  assert.ok(reasons.some((r) => r.startsWith('evicted')), `an idle peer was evicted: ${reasons.join('; ')}`);
  // Idle peers that send no message at all are dropped after firstMessageTimeoutMs (they then reconnect).
  const deadline = Date.now() + 5_000;
  while (!reasons.includes('sent nothing after its handshake') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(reasons.includes('sent nothing after its handshake'), reasons.join('; '));
});

/**
 * The attack suite against the real CLI: `tandem share` seeds 8 MiB while one of the attacks runs, and an honest
 * `tandem get` must finish with the exact bytes, with the seed alive afterwards and its memory bounded.
 */
const ATTACKS: [AttackKind, number][] = [
  ['idle', 200],
  ['never-read', 4],
  ['garbage', 60],
];
for (const [kind, count] of ATTACKS) {
  test(`tandem share under attack (${count} × ${kind}): an honest tandem get is served, and the seed survives`, async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'data.bin');
    writeFileSync(file, randomBytes(8 * 2 ** 20));
    const torrentFile = join(dir, 'data.torrent');
    const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', file, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--torrent-out', torrentFile, '--json']);
    const [line] = await waitForLine(share, /^\{.*"event":"seeding".*\}$/, 30_000);
    const { port } = JSON.parse(line) as { port: number };
    const parsed = parseTorrent(readFileSync(torrentFile));
    const attack = startAttack({ kind, count, port, infoHash: parsed.infoHashV1!, pieceCount: parsed.pieceCount, pieceLengthBytes: parsed.pieceLengthBytes });
    t.after(() => attack.stop());
    await new Promise((r) => setTimeout(r, 2_000)); // the honest peer meets a seed already under attack
    const out = join(dir, 'out');
    const r = await tandem(['get', torrentFile, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '-q'], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await treeHashes(join(out, 'data.bin')), await treeHashes(file));
    assert.equal(share.exitCode, null, 'the seed is still running');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${share.pid}/status`, 'utf8'))![1]) / 1024;
    assert.ok(hwm < 400, `the seed's peak memory stayed bounded (${hwm.toFixed(0)} MiB)`);
    assert.ok(attack.opened >= count, 'the attack ran');
  });
}

test('a peer flooding requests past our reqq is dropped at once', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { maxIncomingRequests: 50 } });
  const reason = new Promise<string>((resolve) => seed.on('peer:disconnect', (d) => resolve(d.reason)));
  const socket = connect({ host: '127.0.0.1', port: seed.listenPort, localAddress: '127.0.0.70' });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const requests = Array.from({ length: 200 }, (_, i) => encodeMessage({ type: 'request', index: i % meta.pieceCount, begin: 0, length: 16_384 }));
  socket.write(Buffer.concat([encodeHandshake({ infoHash: seed.infoHash, peerId: randomBytes(20), extended: false, fast: true, dht: false }), encodeMessage({ type: 'interested' }), ...requests]));
  assert.match(await reason, /more than 50 requests outstanding/);
  socket.destroy();
});
