// tandem and libtorrent nodes in one loopback DHT, bootstrapped from one another: each finds the other's peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DhtNode } from '../../src/dht/index.js';
import { requireLibtorrent } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import { libtorrentDhtNode, lookupUntil } from './helpers/dht-network.js';

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
  const ltNodes = [await libtorrentDhtNode(t, 'node', entry), await libtorrentDhtNode(t, 'node', `127.0.0.1:${tandems[1]!.address()!.port}`)];
  const seed = await libtorrentDhtNode(t, 'seed', entry, dir);
  const infoHash = Buffer.from((await seed.line(/^infohash ([0-9a-f]{40})/))[1]!, 'hex');
  await seed.line(/^bootstrapped/, 30_000);
  await Promise.all(tandems.map((n) => n.bootstrap()));
  const ltPorts = new Set([...ltNodes, seed].map((n) => n.port));
  const knownLt = tandems.flatMap((n) => n.nodes()).filter((c) => ltPorts.has(c.port));
  assert.ok(knownLt.length >= 3, `tandem routing tables hold ${knownLt.length} libtorrent entries`);

  await t.test('(1) a libtorrent seed announces; a tandem lookup returns its address', async () => {
    const seen = await lookupUntil(tandems[3]!, infoHash, (p) => p === `127.0.0.1:${seed.port}`, 60_000);
    assert.ok(seen.includes(`127.0.0.1:${seed.port}`), `lookup saw ${JSON.stringify(seen)}`);
  });

  await t.test('(2) tandem announces; libtorrent dht_get_peers finds tandem\'s address', async () => {
    const ours = Buffer.alloc(20, 0x5a);
    const announced = await tandems[2]!.announce(ours, 45678);
    assert.ok(announced.accepted >= 2, `announce accepted by ${announced.accepted}`);
    const finder = await libtorrentDhtNode(t, 'find', `127.0.0.1:${tandems[3]!.address()!.port}`, ours.toString('hex'));
    const line = await finder.line(/^peers (.*)/, 60_000);
    assert.ok(line[1]!.split(' ').includes('127.0.0.1:45678'), line[0]);
  });

  // libtorrent's packets went through tandem's decoder without a single drop.
  const dropped = tandems.reduce((n, d) => n + d.stats().counters.droppedMalformed + d.stats().counters.droppedUnsolicited, 0);
  assert.equal(dropped, 0);
});
