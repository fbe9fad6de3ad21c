// Where a DHT node starts from: the guard that keeps tests off the public DHT, loopback detection, and the CLI's
// choice of bootstrap nodes, bind address and state file (pure functions, environment passed in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPublicGuard, isLoopbackHost, parseHostPort } from '../../src/dht/bootstrap.js';
import { DHT_DEFAULTS, DhtNode } from '../../src/dht/index.js';
import { dhtOptionsFor, dhtRoundIntervalMs } from '../../src/node/node-dht.js';

test('isLoopbackHost: 127/8, ::1, mapped loopback and localhost only', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['10.0.0.1', '0.0.0.0', '::', '128.0.0.1', 'router.bittorrent.com', '1127.0.0.1', '::2']) assert.ok(!isLoopbackHost(h), h);
});

test('the guard: off, nothing is checked; on, only loopback bootstrap and saved nodes pass', () => {
  assert.doesNotThrow(() => checkPublicGuard(undefined, [{ host: '8.8.8.8', port: 1 }], false));
  assert.doesNotThrow(() => checkPublicGuard(['127.0.0.1:1', '[::1]:2', 'localhost:3'], [{ host: '127.0.0.2', port: 4 }], true));
  assert.doesNotThrow(() => checkPublicGuard([], [], true), 'an empty list contacts nobody');
  assert.throws(() => checkPublicGuard(undefined, [], true), { code: 'DHT_PUBLIC_FORBIDDEN', message: /public routers.*--no-dht/ });
  assert.throws(() => checkPublicGuard(['127.0.0.1:1', 'router.utorrent.com:6881'], [], true), { code: 'DHT_PUBLIC_FORBIDDEN', message: /router\.utorrent\.com/ });
  assert.throws(() => checkPublicGuard(['127.0.0.1:1'], [{ host: '1.2.3.4', port: 5 }], true), { code: 'DHT_PUBLIC_FORBIDDEN', message: /1\.2\.3\.4:5 \(saved\)/ });
  assert.throws(() => checkPublicGuard(['nonsense'], [], true), { code: 'DHT_BAD_ADDRESS' });
});

test('a node under the guard with no bootstrap list refuses to start, before it binds a socket', async () => {
  let bound = 0;
  const node = new DhtNode({ forbidPublic: true }, { bindSocket: () => (bound++, Promise.reject(new Error('no socket here'))) });
  await assert.rejects(node.start(), { code: 'DHT_PUBLIC_FORBIDDEN' });
  assert.equal(bound, 0);
  assert.equal(node.running, false);
});

test('the public routers are the four well-known ones', () => {
  assert.deepEqual([...DHT_DEFAULTS.publicBootstrap].map((b) => parseHostPort(b).host), ['router.bittorrent.com', 'dht.transmissionbt.com', 'router.utorrent.com', 'dht.libtorrent.org']);
});

test('dhtOptionsFor: --no-dht, --dht-bootstrap, and the public default with its state file', () => {
  const home = '/home/u';
  assert.equal(dhtOptionsFor({ enabled: false, bootstrap: ['127.0.0.1:1'] }, {}, home), undefined);
  // Loopback bootstrap (tests): bound to loopback, no state file in the user's home.
  assert.deepEqual(dhtOptionsFor({ enabled: true, bootstrap: ['127.0.0.1:7'] }, {}, home), { ipv4: { host: '127.0.0.1', port: 0 }, ipv6: false, bootstrap: ['127.0.0.1:7'], statePath: undefined });
  // An IPv6 bootstrap node brings an IPv6 socket (BEP 32), on ::1 when every node is loopback.
  assert.deepEqual(dhtOptionsFor({ enabled: true, bootstrap: ['127.0.0.1:7', '[::1]:8'] }, {}, home)!.ipv6, { host: '::1', port: 0 });
  // ...unless TANDEM_STATE_DIR names one.
  assert.equal(dhtOptionsFor({ enabled: true, bootstrap: ['127.0.0.1:7'] }, { TANDEM_STATE_DIR: '/s' }, home)!.statePath, '/s/dht.json');
  assert.deepEqual(dhtOptionsFor({ enabled: true, bootstrap: ['dht.example:6881'] }, {}, home)!.ipv4, { host: '0.0.0.0', port: 0 });
  // The default: public routers (bootstrap left to the node), every interface, the state under XDG or ~/.local/state.
  assert.deepEqual(dhtOptionsFor({ enabled: true, bootstrap: [] }, {}, home), { ipv4: { host: '0.0.0.0', port: 0 }, ipv6: { host: '::', port: 0 }, bootstrap: undefined, statePath: '/home/u/.local/state/tandem/dht.json' });
  assert.equal(dhtOptionsFor({ enabled: true, bootstrap: [] }, { XDG_STATE_HOME: '/x' }, home)!.statePath, '/x/tandem/dht.json');
  assert.equal(dhtOptionsFor({ enabled: true, bootstrap: [] }, { XDG_STATE_HOME: '/x', TANDEM_STATE_DIR: '/t' }, home)!.statePath, '/t/dht.json');
  assert.throws(() => dhtOptionsFor({ enabled: true, bootstrap: ['127.0.0.1'] }, {}, home), { code: 'DHT_BAD_ADDRESS' });
});

test('DHT rounds: quick while nothing is found, slower while downloading, 15 minutes when seeding (< BEP 5\'s 30)', () => {
  assert.equal(dhtRoundIntervalMs({ done: false, peersFound: 0 }), 15_000);
  assert.equal(dhtRoundIntervalMs({ done: false, peersFound: 3 }), 5 * 60_000);
  assert.equal(dhtRoundIntervalMs({ done: true, peersFound: 0 }), 15 * 60_000);
  assert.ok(dhtRoundIntervalMs({ done: true, peersFound: 9 }) < DHT_DEFAULTS.peerTtlMs);
});

test('a start() that fails half-way (no IPv6 socket) closes what it bound and leaves the state file as it was', async (t) => {
  const { mkdtemp, readFile, rm, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { bindUdp } = await import('../../src/dht/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-dht-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const statePath = join(dir, 'dht.json');
  const before = JSON.stringify({ version: 1, id: 'ab'.repeat(20), nodes: [{ id: 'cd'.repeat(20), host: '127.0.0.1', port: 6881 }] });
  await writeFile(statePath, before);
  let closed = 0;
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, ipv6: { host: '::', port: 0 }, bootstrap: [], statePath }, {
    bindSocket: async (family, host, port) => {
      if (family === 6) throw new Error('EAFNOSUPPORT');
      const s = await bindUdp(family, host, port);
      return { ...s, family: s.family, close: () => (closed++, s.close()) };
    },
  });
  await assert.rejects(node.start(), /EAFNOSUPPORT/);
  assert.equal(closed, 1, 'the IPv4 socket was closed');
  assert.equal(node.running, false);
  assert.equal(await readFile(statePath, 'utf8'), before);
});
