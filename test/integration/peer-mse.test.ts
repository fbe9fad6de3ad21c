import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { FIXTURE_FILES, makeTorrent, makeTree, startTorrent, treeHashes, whenDone } from '../helpers/peer-fixtures.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { startRelay } from '../helpers/relay.js';
import { tempDir } from '../helpers/tmp.js';
import { publicKeyOf } from '../../src/mse/index.js';
import type { Torrent } from '../../src/swarm/index.js';
import { decodeHandshake, encodeHandshake, HANDSHAKE_BYTES } from '../../src/wire/index.js';

/** 64-byte samples of every non-empty fixture file, to search the wire for. */
async function samples(root: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const [path, bytes] of FIXTURE_FILES) if (bytes > 0) out.push((await readFile(join(root, path))).subarray(1000, 1064));
  return out;
}

/** A plaintext-only peer (no MSE): it answers a valid BEP 3 handshake and drops anything else after 68 bytes. */
async function startPlaintextOnlyPeer(t: TestContext): Promise<{ port: number; handshakes: () => number; refused: () => number }> {
  let handshakes = 0;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < HANDSHAKE_BYTES) return;
      socket.off('data', onData);
      try {
        const remote = decodeHandshake(buffered.subarray(0, HANDSHAKE_BYTES));
        handshakes++;
        socket.write(encodeHandshake({ infoHash: remote.infoHash, peerId: Buffer.alloc(20, 7), extended: false, fast: false, dht: false }));
      } catch {
        refused++;
        socket.destroy();
      }
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, handshakes: () => handshakes, refused: () => refused };
}

/** Resolves with the first warning of the torrent that matches, or rejects after `ms`. */
function warning(torrent: Torrent, pattern: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no warning matching ${pattern} within ${ms} ms`)), ms);
    const onWarning = ({ message }: { message: string }): void => {
      if (!pattern.test(message)) return;
      clearTimeout(timer);
      torrent.off('warning', onWarning);
      resolve(message);
    };
    torrent.on('warning', onWarning);
  });
}

const PROTOCOL = Buffer.from('BitTorrent protocol');

/** The torrent's first peer connection. */
function firstConnect(torrent: Torrent): Promise<{ encrypted: boolean }> {
  return new Promise((resolve) => torrent.once('peer:connect', resolve));
}

test('require on both sides: the transfer completes, sha256 identical, and neither the handshake nor file bytes appear on the wire', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 4);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { encryption: 'require' } });
  const relay = await startRelay(t, seed.listenPort);
  const leech = await startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: relay.port }], config: { encryption: 'require' } });
  const connected = firstConnect(leech);
  await whenDone(leech);
  assert.equal((await connected).encrypted, true);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'content')), await treeHashes(src));
  const up = relay.fromDialer();
  const down = relay.toDialer();
  assert.ok(down.length >= meta.totalLengthBytes, 'the content went through the relay');
  assert.equal(up.indexOf(PROTOCOL), -1);
  assert.equal(down.indexOf(PROTOCOL), -1);
  for (const sample of await samples(src)) assert.equal(down.indexOf(sample), -1, 'file bytes visible on the wire');
});

test('prefer dialling an allow seed: MSE hides the handshake, the seed selects plaintext, so file bytes pass in the clear', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 1);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const relay = await startRelay(t, seed.listenPort);
  const leech = await startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: relay.port }], config: { encryption: 'prefer' } });
  const connected = firstConnect(leech);
  await whenDone(leech);
  assert.equal((await connected).encrypted, false);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'content')), await treeHashes(src));
  assert.equal(relay.fromDialer().indexOf(PROTOCOL), -1, 'our handshake rode encrypted in IA');
  const down = relay.toDialer();
  for (const sample of await samples(src)) assert.notEqual(down.indexOf(sample), -1);
});

test('magnet over RC4: metadata (BEP 9) and the files arrive over an encrypted connection', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 2);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { encryption: 'require' } });
  const leech = await startTorrent(t, { infoHash: meta.infoHashV1, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.listenPort }], config: { encryption: 'require' } });
  await whenDone(leech);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'content')), await treeHashes(src));
});

test('a require seed refuses a plaintext peer, and says why', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 1);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { encryption: 'require' } });
  const refused = warning(seed, /refused a plaintext handshake: encryption is required/);
  const leech = await startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.listenPort }] });
  await refused;
  assert.equal(seed.peers.size, 0);
  assert.equal(leech.stats().piecesHave, 0);
});

test('require dialling a plaintext-only peer: no plaintext retry, a clear reason; prefer retries in plaintext', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 1);
  const { meta } = await makeTorrent(src);
  const plain = await startPlaintextOnlyPeer(t);
  const strict = await startTorrent(t, { metainfo: meta, dir: join(dir, 'a'), config: { encryption: 'require', maxReconnects: 0 } });
  const why = warning(strict, /closed the connection during the encryption handshake \(encryption is required: no plaintext retry\)/);
  strict.addPeers([{ host: '127.0.0.1', port: plain.port }]);
  await why;
  assert.equal(plain.handshakes(), 0);
  assert.ok(plain.refused() >= 1);
  const lenient = await startTorrent(t, { metainfo: meta, dir: join(dir, 'b'), config: { encryption: 'prefer', maxReconnects: 0 } });
  const retried = warning(lenient, /retrying without encryption/);
  const connected = firstConnect(lenient);
  lenient.addPeers([{ host: '127.0.0.1', port: plain.port }]);
  await retried;
  await connected;
  assert.equal(plain.handshakes(), 1);
});

/** Resolves with the first line of the child's stderr that matches, or rejects after `ms`. */
function waitForStderr(child: ChildProcess, pattern: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no stderr line matching ${pattern} within ${ms} ms; saw:\n${seen}`)), ms);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line === undefined) return;
      clearTimeout(timer);
      resolve(line);
    });
  });
}

test('CLI: share --encryption require and get --encryption require of its magnet: multi-file, sha256 identical, RC4 on the wire', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 3);
  const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--encryption', 'require', '--json']);
  const [line] = await waitForLine(share, /^\{.*"event":"seeding".*\}$/);
  const { magnet } = JSON.parse(line) as { magnet: string };
  const out = join(dir, 'out');
  const r = await tandem(['get', magnet, '-o', out, '--no-dht', '--no-lsd', '--encryption', 'require', '--verbose'], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /connected \(.*RC4-encrypted\)/);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('CLI: a share --encryption require seed refuses a plaintext get and says so; a bad policy is a usage error', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 1);
  const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--no-dht', '--no-lsd', '--listen', '127.0.0.1', '--encryption', 'require', '--verbose']);
  const [magnet] = await waitForLine(share, /magnet:\S+/);
  const refused = waitForStderr(share, /refused a plaintext handshake: encryption is required \(--encryption require\)/);
  const get = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', magnet.replace(/^magnet: /, ''), '-o', join(dir, 'out'), '--no-dht', '--no-lsd', '--verbose']);
  await refused;
  get.kill('SIGKILL');
  const bad = await tandem(['get', `magnet:?xt=urn:btih:${'ab'.repeat(20)}`, '-o', join(dir, 'bad'), '--encryption', 'sometimes', '--no-dht', '--no-lsd'], { timeoutMs: 15_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--encryption: "sometimes" is not one of allow, prefer, require/);
});

test('hostile bytes where MSE is expected: each connection is dropped with a typed reason, and the seed still serves', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 1);
  const { meta } = await makeTorrent(src);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { handshakeTimeoutMs: 1_500 } });
  const reasons: string[] = [];
  seed.on('warning', ({ message }) => reasons.push(message));
  const closed = (bytes: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const s = connect(seed.listenPort, '127.0.0.1', () => s.write(bytes));
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.on('close', () => resolve());
    });
  // Random bytes past the sync window; a valid-looking Ya then silence; a Ya out of range.
  await closed(randomBytes(96 + 700));
  await closed(publicKeyOf(randomBytes(20)));
  await closed(Buffer.concat([Buffer.alloc(96, 0xff), randomBytes(100)]));
  assert.ok(reasons.some((r) => /no HASH\(req1, S\) within 512 bytes/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /not finished within 1500 ms/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /public value is out of range/.test(r)), reasons.join('\n'));
  const leech = await startTorrent(t, { metainfo: meta, dir: join(dir, 'out'), peers: [{ host: '127.0.0.1', port: seed.listenPort }], config: { encryption: 'require' } });
  await whenDone(leech);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'content')), await treeHashes(src));
});
