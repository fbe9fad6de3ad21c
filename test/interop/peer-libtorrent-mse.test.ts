import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTorrent, makeTree, startTorrent, treeHashes } from '../helpers/peer-fixtures.js';
import { run, startProcess, tandem, waitForLine } from '../helpers/processes.js';
import { DEBIAN_PYTHON, requireLibtorrent } from '../helpers/programs.js';
import { startRelay } from '../helpers/relay.js';
import { tempDir } from '../helpers/tmp.js';
import type { Torrent } from '../../src/swarm/index.js';

const LT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/lt_peer.py', import.meta.url));
const PROTOCOL = Buffer.from('BitTorrent protocol');

/** Starts a libtorrent seed with the given encryption setting (killed at test end) and returns its port. */
async function ltSeed(t: TestContext, source: string, saveDir: string, enc: 'enabled' | 'forced' | 'disabled'): Promise<number> {
  const child = startProcess(t, DEBIAN_PYTHON, [LT_PEER, 'seed', source, saveDir, '--timeout', '120', '--enc', enc]);
  const [line] = await waitForLine(child, /^\{"event": "listening".*\}$/);
  await waitForLine(child, /"event": "done"/);
  return (JSON.parse(line) as { port: number }).port;
}

async function fixture(t: TestContext, scale: number): Promise<{ dir: string; src: string; file: string; meta: Awaited<ReturnType<typeof makeTorrent>>['meta'] }> {
  requireLibtorrent();
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', scale);
  const { bytes, meta } = await makeTorrent(src, 'v1', 32 * 1024);
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  return { dir, src, file, meta };
}

/** Resolves with the first warning of the torrent that matches, or rejects after `ms`. */
function warning(torrent: Torrent, pattern: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no warning matching ${pattern} within ${ms} ms`)), ms);
    torrent.on('warning', ({ message }) => {
      if (!pattern.test(message)) return;
      clearTimeout(timer);
      resolve(message);
    });
  });
}

test('libtorrent with its default policy dials a tandem seed with MSE: its first connection succeeds (one connection in all), sha256 identical', async (t) => {
  const { dir, src, file, meta } = await fixture(t, 20);
  const seed = await startTorrent(t, { metainfo: meta, dir });
  const relay = await startRelay(t, seed.listenPort);
  const out = join(dir, 'lt');
  // No --enc: libtorrent's own defaults (pe_enabled both ways, MSE first on outgoing connections).
  const r = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', file, out, '--peer', `127.0.0.1:${relay.port}`, '--timeout', '60'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  assert.equal(relay.connections(), 1, 'libtorrent needed a second connection');
  // libtorrent did open with MSE: its plaintext handshake never crossed the wire.
  assert.equal(relay.fromDialer().indexOf(PROTOCOL), -1);
});

test('libtorrent pe_forced (RC4 only) seeds to tandem get --encryption require: sha256 identical, RC4 on the wire', async (t) => {
  const { dir, src, file } = await fixture(t, 20);
  const port = await ltSeed(t, file, dir, 'forced');
  const relay = await startRelay(t, port);
  const out = join(dir, 'out');
  const r = await tandem(['get', file, '-o', out, '--peer', `127.0.0.1:${relay.port}`, '--no-dht', '--no-lsd', '--encryption', 'require', '--verbose'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /connected \(.*RC4-encrypted\)/);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  assert.equal(relay.toDialer().indexOf(PROTOCOL), -1);
});

test('libtorrent pe_forced (RC4 only) leeches from a tandem seed with --encryption require: sha256 identical', async (t) => {
  const { dir, src, file, meta } = await fixture(t, 20);
  const seed = await startTorrent(t, { metainfo: meta, dir, config: { encryption: 'require' } });
  const encrypted: boolean[] = [];
  seed.on('peer:connect', (p) => encrypted.push(p.encrypted));
  const out = join(dir, 'lt');
  const r = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', file, out, '--peer', `127.0.0.1:${seed.listenPort}`, '--timeout', '60', '--enc', 'forced'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  assert.ok(encrypted.length >= 1 && encrypted.every(Boolean), `connections: ${JSON.stringify(encrypted)}`);
});

test('libtorrent with encryption disabled: tandem --encryption prefer falls back to plaintext and completes; require refuses with a reason', async (t) => {
  const { dir, src, file, meta } = await fixture(t, 5);
  const port = await ltSeed(t, file, dir, 'disabled');
  const out = join(dir, 'out');
  const r = await tandem(['get', file, '-o', out, '--peer', `127.0.0.1:${port}`, '--no-dht', '--no-lsd', '--encryption', 'prefer', '--verbose'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /retrying without encryption/);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
  const strict = await startTorrent(t, { metainfo: meta, dir: join(dir, 'strict'), config: { encryption: 'require', maxReconnects: 0 } });
  const why = warning(strict, /encryption handshake.*\(encryption is required: no plaintext retry\)/);
  strict.addPeers([{ host: '127.0.0.1', port }]);
  await why;
  assert.equal(strict.peers.size, 0);
});
