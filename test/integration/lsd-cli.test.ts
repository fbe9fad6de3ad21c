// `tandem share` and `tandem get` find each other through BEP 14 alone: each runs in its own network namespace
// (a veth pair between them, nothing else), with no tracker, no DHT and a bare magnet link (no x.pe). Multicast
// stays inside the namespaces. Needs root (ip netns); fails with a clear message where it cannot make them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { startProcess, TANDEM_BIN, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';
import { makeNamespaces } from './lsd-namespaces.js';
import { createTorrent } from '../../src/metainfo/index.js';
import { Output } from '../../src/cli/output.js';
import { NodeLsd } from '../../src/node/node-lsd.js';
import { startTorrent } from '../helpers/peer-fixtures.js';

function tandemIn(t: Parameters<typeof startProcess>[0], ns: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = startProcess(t, 'ip', ['netns', 'exec', ns, process.execPath, TANDEM_BIN, ...args]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, stderr: () => stderr };
}

/** The child's exit code, or a rejection after `ms` (the after hook then kills it). */
function exited(child: ChildProcess, ms: number, describe: () => string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms\n${describe()}`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Waits (polling, bounded) until `text()` matches: the child's stderr, collected as it arrives. */
async function stderrLine(text: () => string, pattern: RegExp, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(text())) {
    if (Date.now() > deadline) throw new Error(`no stderr line matching ${pattern} within ${ms} ms:\n${text()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('get finds a share through LSD alone (bare magnet, no tracker, no DHT), fetches metadata and the file', { timeout: 150_000 }, async (t) => {
  const ns = makeNamespaces(t);
  const dir = await tempDir(t);
  const file = join(dir, 'lsd-shared.bin');
  const data = patternBytes(3 * 1024 * 1024 + 777, 14);
  await writeFile(file, data);
  const out = join(dir, 'got');

  const seed = tandemIn(t, ns.a, ['share', file, '--no-dht', '--lsd', '--listen', ns.a4, '--verbose']);
  const m = await waitForLine(seed.child, /magnet: \S*xt=urn:btih:([0-9a-f]{40})/, 30_000);
  const infoHash = m[1]!;
  await stderrLine(seed.stderr, new RegExp(`lsd: announcing on ${ns.a4.replaceAll('.', '\\.')}`), 10_000);

  const getter = tandemIn(t, ns.b, ['get', `magnet:?xt=urn:btih:${infoHash}`, '--no-dht', '--lsd', '-o', out, '--verbose']);
  let stdout = '';
  getter.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  // Bounded: the first announce normally does it; a lost one is repeated within a minute.
  const code = await exited(getter.child, 120_000, () => `getter stdout:\n${stdout}\ngetter stderr:\n${getter.stderr()}\nseed stderr:\n${seed.stderr()}`);
  assert.equal(code, 0, `get failed:\n${stdout}\n${getter.stderr()}`);
  assert.equal(sha256(await readFile(join(out, 'lsd-shared.bin'))), sha256(data));
  // The seed learnt of the getter from its announce (it had no other way to).
  assert.match(seed.stderr(), new RegExp(`lsd: peer ${ns.b4.replaceAll('.', '\\.')} port \\d+`));
  seed.child.kill('SIGINT');
  await exited(seed.child, 15_000, () => seed.stderr());
});

test('an interface where the group cannot be joined is one detail line; the torrent runs on and stop() is clean', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'x.bin');
  await writeFile(file, patternBytes(40_000, 3));
  const { metainfo } = await createTorrent(file, { version: 'v1' });
  const torrent = await startTorrent(t, { metainfo, dir, trustData: true });
  const lines: string[] = [];
  const out = new (class extends Output {
    override detail(text: string): void {
      lines.push(text);
    }
  })({ verbose: true });
  // 192.0.2.77 (TEST-NET-1) is no address of this machine: joining the group on it fails, before anything is sent.
  const host = { hosts: torrent.listenHosts, port: torrent.listenPort, announced: () => [torrent.infoHash], addPeer: () => undefined, downloading: () => !torrent.isDone };
  const lsd = new NodeLsd(host, out, () => [{ family: 4, interfaceAddress: '192.0.2.77' }]);
  await lsd.start();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /^lsd: not on 192\.0\.2\.77: cannot join the LSD group 239\.192\.152\.143/);
  assert.ok(torrent.listenPort > 0);
  await lsd.stop();
});
