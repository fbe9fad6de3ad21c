// The CLI's DHT outside the loopback-bootstrap case: the guard that turns the public default into a loud
// failure in tests, and the routing table kept in the state dir so a second start needs no bootstrap node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { freeUdpPort } from '../helpers/ports.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { endpoint, lookupUntil, tandemDhtNetwork } from '../interop/helpers/dht-network.js';

const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=x';

test('under TANDEM_NO_PUBLIC_DHT=1, get and share with neither --no-dht nor --dht-bootstrap fail loudly', async (t) => {
  const dir = await tempDir(t);
  assert.equal(process.env.TANDEM_NO_PUBLIC_DHT, '1', 'the test helpers set the guard');
  const get = await tandem(['get', MAGNET, '-o', dir], { timeoutMs: 20_000 });
  assert.equal(get.code, 2);
  assert.match(get.stderr, /TANDEM_NO_PUBLIC_DHT=1 forbids the public DHT: pass --no-dht or --dht-bootstrap/);
  const share = await tandem(['share', await makeTree(dir, 'c'), '--json'], { timeoutMs: 20_000 });
  assert.equal(share.code, 2, share.stdout + share.stderr);
  const offLoopback = await tandem(['get', MAGNET, '-o', dir, '--dht-bootstrap', '192.0.2.1:6881'], { timeoutMs: 20_000 });
  assert.equal(offLoopback.code, 2);
  assert.match(offLoopback.stderr, /off loopback: 192\.0\.2\.1/);
});

test('the routing table is saved to TANDEM_STATE_DIR on exit and is enough to find a seed the next time', async (t) => {
  const dir = await tempDir(t);
  const state = join(dir, 'state');
  const net = await tandemDhtNetwork(t, 4);
  // First run: a share that bootstraps from node 0, announces, and is stopped with Ctrl-C.
  const first = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', await makeTree(dir, 'one'), '--json', '--dht-bootstrap', endpoint(net[0]!)], { env: { ...process.env, TANDEM_STATE_DIR: state } });
  const [line1] = await waitForLine(first, /^\{.*"event":"seeding".*\}$/);
  const one = JSON.parse(line1) as { infoHash: string; port: number };
  await lookupUntil(net[3]!, Buffer.from(one.infoHash, 'hex'), (p) => p === `127.0.0.1:${one.port}`, 30_000);
  const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
  first.kill('SIGINT');
  assert.equal(await exited, 0);
  const saved = JSON.parse(await readFile(join(state, 'dht.json'), 'utf8')) as { id: string; nodes: { port: number }[] };
  const netPorts = net.map((n) => n.address()!.port);
  assert.ok(saved.nodes.filter((n) => netPorts.includes(n.port)).length >= 3, `saved ${JSON.stringify(saved.nodes)}`);

  // A second seed, with no state of its own.
  const src = await makeTree(dir, 'two');
  const second = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--json', '--dht-bootstrap', endpoint(net[1]!)]);
  const [line2] = await waitForLine(second, /^\{.*"event":"seeding".*\}$/);
  const two = JSON.parse(line2) as { infoHash: string; port: number };
  await lookupUntil(net[2]!, Buffer.from(two.infoHash, 'hex'), (p) => p === `127.0.0.1:${two.port}`, 30_000);
  // The getter's only bootstrap node is dead: the saved table is its way in.
  const dead = `127.0.0.1:${await freeUdpPort()}`;
  const r = await tandem(['get', `magnet:?xt=urn:btih:${two.infoHash}&dn=two`, '-o', join(dir, 'out'), '--json', '--dht-bootstrap', dead], { timeoutMs: 60_000, env: { ...process.env, TANDEM_STATE_DIR: state } });
  assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'two')), await treeHashes(src));
  // Same node id across runs (BEP 5 nodes keep theirs, so others' tables stay right about us).
  assert.equal((JSON.parse(await readFile(join(state, 'dht.json'), 'utf8')) as { id: string }).id, saved.id);
});

test('IPv6 (BEP 32): share and get meet through a DHT of tandem nodes on ::1 only', async (t) => {
  const dir = await tempDir(t);
  const net = await tandemDhtNetwork(t, 4, { ipv4: false, ipv6: { host: '::1', port: 0 } });
  const v6 = (i: number): string => `[::1]:${net[i]!.address(6)!.port}`;
  const src = await makeTree(dir, 'six');
  const share = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', src, '--json', '--dht-bootstrap', v6(0)]);
  const [line] = await waitForLine(share, /^\{.*"event":"seeding".*\}$/);
  const { infoHash, port } = JSON.parse(line) as { infoHash: string; port: number };
  const seen = await lookupUntil(net[3]!, Buffer.from(infoHash, 'hex'), (p) => p === `::1:${port}`, 30_000);
  assert.ok(seen.includes(`::1:${port}`), `the share announced over IPv6: ${JSON.stringify(seen)}`);
  const r = await tandem(['get', `magnet:?xt=urn:btih:${infoHash}&dn=six`, '-o', join(dir, 'out'), '--json', '--dht-bootstrap', v6(1)], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stdout.slice(-1500) + r.stderr);
  assert.deepEqual(await treeHashes(join(dir, 'out', 'six')), await treeHashes(src));
});
