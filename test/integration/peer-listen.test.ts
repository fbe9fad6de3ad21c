import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { once } from 'node:events';
import { decodeHandshake, encodeHandshake, HANDSHAKE_BYTES } from '../../src/wire/index.js';
import { makePeerId, PeerListener } from '../../src/swarm/index.js';
import { makeTorrent, makeTree, startTorrent } from '../helpers/peer-fixtures.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The local addresses listening on `port`, read from the kernel's socket tables: proves what a listener is bound
 * to without sending a packet anywhere but loopback.
 */
async function listeningOn(port: number): Promise<string[]> {
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] !== '0A') continue; // TCP_LISTEN
      const [addr, portHex] = cols[1]!.split(':');
      if (parseInt(portHex!, 16) !== port) continue;
      out.push(v6 ? hex6(addr!) : hex4(addr!));
    }
  }
  return out.sort();
}

// /proc/net/tcp prints each 32-bit word of an address in host (little-endian) order.
function hex4(h: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(h.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function hex6(h: string): string {
  const bytes = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) Buffer.from(h.slice(w * 8, w * 8 + 8), 'hex').reverse().copy(bytes, w * 4);
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Opens a loopback connection, sends a handshake for `infoHash` and resolves with the answer's info hash. */
async function handshakeWith(host: string, port: number, infoHash: Buffer): Promise<Buffer> {
  const socket = connect({ host, port });
  try {
    await once(socket, 'connect');
    socket.write(encodeHandshake({ infoHash, peerId: makePeerId(), extended: true, fast: true, dht: false }));
    let got = Buffer.alloc(0);
    while (got.length < HANDSHAKE_BYTES) got = Buffer.concat([got, (await once(socket, 'data'))[0] as Buffer]);
    return decodeHandshake(got.subarray(0, HANDSHAKE_BYTES)).infoHash;
  } finally {
    socket.destroy();
  }
}

test('a torrent listens on every interface by default (0.0.0.0 and ::, one port), reachable over both loopbacks', async (t) => {
  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  // No listenHosts: the production default, not the loopback preset the helpers give.
  const seed = await startTorrent(t, { metainfo: meta, dir, listenHosts: undefined });
  assert.deepEqual(seed.listenHosts, ['0.0.0.0', '::']);
  assert.deepEqual(await listeningOn(seed.listenPort), ['0.0.0.0', '::']);
  for (const host of ['127.0.0.1', '::1']) assert.deepEqual(await handshakeWith(host, seed.listenPort, meta.infoHashV1!), meta.infoHashV1!, host);
});

test('a listener given hosts binds exactly those; the helpers keep tests on loopback', async (t) => {
  const listener = new PeerListener({ hosts: ['127.0.0.1'], port: 0, handshakeTimeoutMs: 2000 });
  t.after(() => listener.stop());
  const port = await listener.start();
  assert.deepEqual(await listeningOn(port), ['127.0.0.1']);
  assert.deepEqual(listener.hosts, ['127.0.0.1']);

  const dir = await tempDir(t);
  const { meta } = await makeTorrent(await makeTree(dir));
  const seed = await startTorrent(t, { metainfo: meta, dir });
  assert.deepEqual(await listeningOn(seed.listenPort), ['127.0.0.1', '::1']);
});

test('tandem share --listen: bound to the given hosts, and the magnet names each in x.pe; without it, no x.pe', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir);
  const given = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--no-dht', '--listen', '127.0.0.1', '--listen', '[::1]', '--json']);
  const seeding = JSON.parse((await waitForLine(given, /^\{.*"event":"seeding".*\}$/))[0]) as { magnet: string; port: number; listen: string[] };
  assert.deepEqual(seeding.listen, ['127.0.0.1', '::1']);
  const pe = new URL(seeding.magnet).searchParams.getAll('x.pe');
  assert.deepEqual(pe, [`127.0.0.1:${seeding.port}`, `[::1]:${seeding.port}`]);
  assert.deepEqual(await listeningOn(seeding.port), ['127.0.0.1', '::1']);

  const wild = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--no-dht', '--json']);
  const w = JSON.parse((await waitForLine(wild, /^\{.*"event":"seeding".*\}$/))[0]) as { magnet: string; port: number; listen: string[] };
  assert.deepEqual(w.listen, ['0.0.0.0', '::']);
  assert.doesNotMatch(w.magnet, /x\.pe/, 'a wildcard is no address a peer can dial');
  assert.deepEqual(await listeningOn(w.port), ['0.0.0.0', '::']);
});

test('tandem get --listen 127.0.0.1 downloads with its listener on loopback only; a bad --listen exits 2', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir);
  const { bytes, meta } = await makeTorrent(src);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const leecher = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', file, '-o', join(dir, 'out'), '--peer', `127.0.0.1:${seed.listenPort}`, '--listen', '127.0.0.1', '--seed', '--no-dht', '--json']);
  const done = JSON.parse((await waitForLine(leecher, /^\{.*"event":"done".*\}$/, 30_000))[0]) as { listenPort: number; verifiedBytes: number };
  assert.equal(done.verifiedBytes, meta.totalLengthBytes);
  assert.deepEqual(await listeningOn(done.listenPort), ['127.0.0.1']);

  const bad = await tandem(['get', file, '--listen', 'example.org', '--no-dht']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--listen: "example.org" is not an IP address/);
});
