// BEP 5 in the peer wire: the handshake's DHT bit, the PORT message, and a peer's DHT node pinged and added to
// the routing table. Two real torrents on loopback, each with its own DHT node (two DHTs that do not know each
// other): only PORT can introduce them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DhtNode } from '../../src/dht/index.js';
import { LOOPBACK_HOSTS, Torrent, testConfig, type TorrentInit } from '../../src/swarm/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { makeTorrent, makeTree, whenDone } from '../helpers/peer-fixtures.js';
import { tempDir } from '../helpers/tmp.js';

type After = { after: (fn: () => Promise<void> | void) => void };

async function lonelyNode(t: After, extra: ConstructorParameters<typeof DhtNode>[0] = {}): Promise<DhtNode> {
  const node = new DhtNode({ ipv4: { host: '127.0.0.1', port: 0 }, bootstrap: [], queryTimeoutMs: 1_000, ...extra });
  await node.start();
  t.after(() => node.stop());
  return node;
}

interface Wired {
  torrent: Torrent;
  /** PORT messages received (peer:dht-port). */
  ports: { host: string; port: number }[];
  /** The DHT bit of each remote handshake, by peer key. */
  remoteDhtBits: boolean[];
}

/** A torrent started with (or without) a DHT node wired the way `tandem get`/`share` wire it. */
async function wiredTorrent(t: After, init: TorrentInit, dht: DhtNode | undefined): Promise<Wired> {
  const torrent = new Torrent({ listenHosts: [...LOOPBACK_HOSTS], ...init, config: testConfig(init.config) });
  t.after(() => torrent.stop());
  const wired: Wired = { torrent, ports: [], remoteDhtBits: [] };
  torrent.localDhtPort = dht?.address()!.port;
  torrent.on('peer:dht-port', (p) => {
    wired.ports.push(p);
    void dht?.addNode(p);
  });
  torrent.on('peer:connect', ({ key }) => wired.remoteDhtBits.push(Boolean(torrent.peers.get(key)?.conn.remote?.dht)));
  await torrent.start();
  return wired;
}

function stopAll(...wired: Wired[]): Promise<unknown> {
  return Promise.all(wired.map((w) => w.torrent.stop()));
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('PORT both ways: each torrent pings the other\'s DHT node and adds it to its routing table', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content');
  const { meta } = await makeTorrent(src);
  const [dhtSeed, dhtLeech] = [await lonelyNode(t), await lonelyNode(t)];
  const seed = await wiredTorrent(t, { metainfo: meta, dir, trustData: true }, dhtSeed);
  const leech = await wiredTorrent(t, { metainfo: meta, dir: `${dir}/out`, peers: [{ host: '127.0.0.1', port: seed.torrent.listenPort }] }, dhtLeech);
  await whenDone(leech.torrent);
  assert.deepEqual(seed.remoteDhtBits, [true]);
  assert.deepEqual(leech.remoteDhtBits, [true]);
  assert.deepEqual(leech.ports, [{ host: '127.0.0.1', port: dhtSeed.address()!.port }]);
  assert.deepEqual(seed.ports, [{ host: '127.0.0.1', port: dhtLeech.address()!.port }]);
  // The pings answered: each node now knows the other (and by its real id).
  await until(() => dhtSeed.nodes().length === 1 && dhtLeech.nodes().length === 1, 10_000, 'both nodes in each other\'s table');
  assert.equal(dhtSeed.nodes()[0]!.id.toString('hex'), dhtLeech.id.toString('hex'));
  assert.equal(dhtLeech.nodes()[0]!.id.toString('hex'), dhtSeed.id.toString('hex'));
  await stopAll(seed, leech); // before the temp dir goes: the leecher writes resume data as it stops
});

test('no DHT on one side: its handshake bit is clear, it is sent no PORT and sends none', async (t) => {
  const dir = await tempDir(t);
  const src = await makeTree(dir, 'content');
  const { meta } = await makeTorrent(src);
  const dhtSeed = await lonelyNode(t);
  const seed = await wiredTorrent(t, { metainfo: meta, dir, trustData: true }, dhtSeed);
  const leech = await wiredTorrent(t, { metainfo: meta, dir: `${dir}/out`, peers: [{ host: '127.0.0.1', port: seed.torrent.listenPort }] }, undefined);
  await whenDone(leech.torrent);
  // PORT would follow the handshake at once; every piece came after it on the same TCP stream.
  assert.deepEqual(seed.remoteDhtBits, [false]);
  assert.deepEqual(leech.remoteDhtBits, [true]);
  assert.deepEqual(leech.ports, []);
  assert.deepEqual(seed.ports, []);
  assert.equal(dhtSeed.nodes().length, 0);
  await stopAll(seed, leech);
});

test('addNode: a dead address is not added, and one address is pinged at most once per interval', async (t) => {
  const node = await lonelyNode(t, { queryTimeoutMs: 300 });
  const other = await lonelyNode(t);
  const dead = { host: '127.0.0.1', port: await freeUdpPort() };
  assert.equal(await node.addNode(dead), false);
  assert.equal(node.nodes().length, 0);
  const sentBefore = node.stats().counters.queriesSent;
  assert.equal(await node.addNode(dead), false, 'a second PORT for the same address within the interval');
  assert.equal(node.stats().counters.queriesSent, sentBefore, 'no second ping was sent');
  assert.equal(await node.addNode({ host: 'not-an-ip', port: 1 }), false);
  assert.equal(await node.addNode({ host: '127.0.0.1', port: 0 }), false);
  assert.equal(await node.addNode({ host: '127.0.0.1', port: other.address()!.port }), true);
  assert.deepEqual(node.nodes().map((n) => n.port), [other.address()!.port]);
});
