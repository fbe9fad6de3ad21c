// tandem and libtorrent nodes in one loopback DHT, bootstrapped from one another: each finds the other's peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { DhtNode, type PeerAddress } from '../../src/dht/index.js';
import { DEBIAN_PYTHON, requireLibtorrent } from '../helpers/programs.js';
import { startProcess } from '../helpers/processes.js';
import { freeUdpPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const SCRIPT = fileURLToPath(new URL('../../../test/interop/helpers/dht_node.py', import.meta.url));

interface LtNode {
  child: ChildProcess;
  port: number;
  /** Resolves with the first line, past or future, that matches. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

async function libtorrentNode(t: Parameters<typeof startProcess>[0], args: string[]): Promise<LtNode> {
  const port = await freeUdpPort();
  const [mode, ...rest] = args;
  const child = startProcess(t, DEBIAN_PYTHON, [SCRIPT, mode!, String(port), ...rest], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  const line = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (const l of lines) {
          const m = l.match(pattern);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`libtorrent ${mode}: no line matching ${pattern} in ${timeoutMs} ms; saw:\n${lines.join('\n')}\n${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  await line(/^listening/);
  return { child, port, line };
}

/** Repeats a tandem lookup until it yields `want` (libtorrent announces a few seconds after it bootstraps). */
async function lookupUntil(node: DhtNode, infoHash: Buffer, want: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = [];
    for await (const p of node.lookup(infoHash, { signal: AbortSignal.timeout(10_000) })) seen.push(`${(p as PeerAddress).host}:${p.port}`);
    if (seen.includes(want)) return seen;
    await new Promise((r) => setTimeout(r, 500));
  }
  return seen;
}

test('libtorrent and tandem DHT nodes find each other\'s peers on loopback', { timeout: 120_000 }, async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const opts = { ipv4: { host: '127.0.0.1', port: 0 }, queryTimeoutMs: 1_000 };
  const root = new DhtNode({ ...opts, bootstrap: [] });
  await root.start();
  t.after(() => root.stop());
  const entry = `127.0.0.1:${root.address()!.port}`;
  const tandems = [root];
  for (let i = 0; i < 3; i++) {
    const n = new DhtNode({ ...opts, bootstrap: [entry] });
    await n.start();
    t.after(() => n.stop());
    tandems.push(n);
  }
  await Promise.all(tandems.map((n) => n.bootstrap()));

  // Two plain libtorrent routing nodes and one seed, all bootstrapped from a tandem node.
  const ltNodes = [await libtorrentNode(t, ['node', entry]), await libtorrentNode(t, ['node', `127.0.0.1:${tandems[1]!.address()!.port}`])];
  const seed = await libtorrentNode(t, ['seed', entry, dir]);
  const infoHash = Buffer.from((await seed.line(/^infohash ([0-9a-f]{40})/))[1]!, 'hex');
  await seed.line(/^bootstrapped/, 30_000);
  await Promise.all(tandems.map((n) => n.bootstrap()));
  const ltPorts = new Set([...ltNodes, seed].map((n) => n.port));
  const knownLt = tandems.flatMap((n) => n.nodes()).filter((c) => ltPorts.has(c.port));
  assert.ok(knownLt.length >= 3, `tandem routing tables hold ${knownLt.length} libtorrent entries`);

  await t.test('(1) a libtorrent seed announces; a tandem lookup returns its address', async () => {
    const seen = await lookupUntil(tandems[3]!, infoHash, `127.0.0.1:${seed.port}`, 60_000);
    assert.ok(seen.includes(`127.0.0.1:${seed.port}`), `lookup saw ${JSON.stringify(seen)}`);
  });

  await t.test('(2) tandem announces; libtorrent dht_get_peers finds tandem\'s address', async () => {
    const ours = Buffer.alloc(20, 0x5a);
    const announced = await tandems[2]!.announce(ours, 45678);
    assert.ok(announced.accepted >= 2, `announce accepted by ${announced.accepted}`);
    const finder = await libtorrentNode(t, ['find', `127.0.0.1:${tandems[3]!.address()!.port}`, ours.toString('hex')]);
    const line = await finder.line(/^peers (.*)/, 60_000);
    assert.ok(line[1]!.split(' ').includes('127.0.0.1:45678'), line[0]);
  });

  // libtorrent's packets went through tandem's decoder without a single drop.
  const dropped = tandems.reduce((n, d) => n + d.stats().counters.droppedMalformed + d.stats().counters.droppedUnsolicited, 0);
  assert.equal(dropped, 0);
});
