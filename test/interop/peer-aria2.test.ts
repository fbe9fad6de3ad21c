import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTorrent } from '../../src/metainfo/index.js';
import { TrackerServer } from '../../src/tracker/index.js';
import { makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { freeTcpPort } from '../helpers/ports.js';
import { run, startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { fileURLToPath } from 'node:url';

const LT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/lt_peer.py', import.meta.url));
import { DEBIAN_PYTHON, requireLibtorrent, requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';

/** aria2 cannot be handed a peer (REFERENCE-PROGRAMS.md): peers meet it through tandem's own HTTP tracker. */
async function trackerUrl(t: TestContext): Promise<string> {
  const server = new TrackerServer({ http: { host: '127.0.0.1', port: 0 }, announceIntervalS: 2, minAnnounceIntervalS: 1 });
  const { http } = await server.start();
  t.after(() => server.stop());
  return `http://127.0.0.1:${http!.port}/announce`;
}

/** aria2 on loopback: no DHT, no local discovery; exits after download unless seeding. */
async function aria2Args(dir: string, file: string, seed: boolean): Promise<string[]> {
  return [
    '--enable-dht=false',
    '--enable-dht6=false',
    '--bt-enable-lpd=false',
    '--file-allocation=none',
    '--summary-interval=0',
    '--console-log-level=warn',
    `--listen-port=${await freeTcpPort()}`,
    `--dir=${dir}`,
    ...(seed ? ['--check-integrity=true', '--seed-ratio=0.0'] : ['--seed-time=0']),
    file,
  ];
}

async function fixture(t: TestContext): Promise<{ dir: string; src: string; file: string }> {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content', 20);
  // v1 only: aria2 1.36 computes a wrong info hash for hybrids (REFERENCE-PROGRAMS.md).
  const { bytes } = await createTorrent(src, { version: 'v1', pieceLengthBytes: 32 * 1024, trackers: [await trackerUrl(t)], creationDate: null, workers: 1 });
  const file = join(dir, 'c.torrent');
  await writeFile(file, bytes);
  return { dir, src, file };
}

test('tandem seed -> aria2 leecher, meeting through a tracker: sha256 identical', async (t) => {
  const aria2c = requireProgram('aria2c', 'aria2');
  const { dir, src, file } = await fixture(t);
  const seed = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', file, '-o', dir, '--seed', '--no-dht', '--json']);
  await waitForLine(seed, /^\{"event":"done"/);
  const out = join(dir, 'aria2');
  const leech = startProcess(t, aria2c, await aria2Args(out, file, false));
  const [code] = await new Promise<[number | null]>((resolve) => leech.once('exit', (c) => resolve([c])));
  assert.equal(code, 0);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('aria2 seed -> tandem leecher, meeting through a tracker: sha256 identical', async (t) => {
  const aria2c = requireProgram('aria2c', 'aria2');
  const { dir, src, file } = await fixture(t);
  startProcess(t, aria2c, await aria2Args(dir, file, true));
  const out = join(dir, 'out');
  const r = await tandem(['get', file, '-o', out, '--no-dht', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await treeHashes(join(out, 'content')), await treeHashes(src));
});

test('mixed swarm through one tracker: a tandem seed with libtorrent, aria2 and tandem leechers; all complete', async (t) => {
  const aria2c = requireProgram('aria2c', 'aria2');
  requireLibtorrent();
  const { dir, src, file } = await fixture(t);
  // The seed's upload is capped so the leechers also trade among themselves.
  const seed = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', file, '-o', dir, '--seed', '--no-dht', '--json', '--upload-limit', '2MiB']);
  const [line] = await waitForLine(seed, /^\{"event":"done".*\}$/);
  const seedPort = (JSON.parse(line) as { listenPort: number }).listenPort;
  const lt = run(DEBIAN_PYTHON, [LT_PEER, 'leech', file, join(dir, 'lt'), '--peer', `127.0.0.1:${seedPort}`, '--timeout', '60'], { timeoutMs: 70_000 });
  const aria = run(aria2c, await aria2Args(join(dir, 'aria2'), file, false), { timeoutMs: 70_000 });
  const td = tandem(['get', file, '-o', join(dir, 'td'), '--no-dht', '--json'], { timeoutMs: 70_000 });
  const [ltr, ar, tdr] = await Promise.all([lt, aria, td]);
  assert.equal(ltr.code, 0, ltr.stdout + ltr.stderr);
  assert.equal(ar.code, 0, ar.stdout + ar.stderr);
  assert.equal(tdr.code, 0, tdr.stderr);
  const want = await treeHashes(src);
  for (const who of ['lt', 'aria2', 'td']) assert.deepEqual(await treeHashes(join(dir, who, 'content')), want, who);
});
