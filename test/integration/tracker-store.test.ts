// One suite, two backends (STYLE.md 11): the memory store and the Redis store must behave the same.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createStore, type StoreLimits, type SwarmStore } from '../../src/tracker/store/index.js';
import { startRedis } from '../helpers/tracker-redis.js';

const LIMITS: StoreLimits = { maxTorrents: 3, maxPeersPerTorrent: 50, maxPeersTotal: 1000, peerTtlMs: 60_000 };

function hash(n: number): Buffer {
  return Buffer.alloc(20, n);
}

function peerId(n: number): Buffer {
  const b = Buffer.alloc(20, 0x70);
  b.writeUInt32BE(n, 16);
  return b;
}

function v4(n: number): Buffer {
  return Buffer.from([10, 0, (n >> 8) & 0xff, n & 0xff, 0x1a, 0xe1]);
}

type Maker = (t: TestContext) => Promise<SwarmStore>;

const backends: [string, Maker][] = [
  ['memory', async () => createStore('memory', LIMITS)],
  [
    'redis',
    async (t) => {
      const url = await startRedis(t);
      const store = await createStore(url, LIMITS);
      t.after(() => store.close());
      return store;
    },
  ],
];

for (const [name, make] of backends) {
  test(`${name} store: announces count seeders, leechers and completions; peers exclude the asker`, async (t) => {
    const s = await make(t);
    const base = { infoHash: hash(1), numwant: 50, families: 'both' as const, nowMs: 1_000_000 };
    let r = await s.announce({ ...base, peerId: peerId(1), addr: v4(1), seeder: true, event: 'started' });
    assert.deepEqual([r.complete, r.incomplete, r.peers4.length], [1, 0, 0]);
    r = await s.announce({ ...base, peerId: peerId(2), addr: v4(2), seeder: false, event: 'started' });
    assert.deepEqual([r.complete, r.incomplete], [1, 1]);
    assert.deepEqual(r.peers4, v4(1));
    r = await s.announce({ ...base, peerId: peerId(2), addr: v4(2), seeder: true, event: 'completed' });
    assert.deepEqual([r.complete, r.incomplete, r.downloaded], [2, 0, 1]);
    assert.deepEqual(await s.scrape([hash(1), hash(9)]), [{ complete: 2, incomplete: 0, downloaded: 1 }, { complete: 0, incomplete: 0, downloaded: 0 }]);
    r = await s.announce({ ...base, peerId: peerId(1), addr: v4(1), seeder: true, event: 'stopped' });
    assert.equal(r.peers4.length + r.peers6.length, 0);
    assert.deepEqual(await s.scrape([hash(1)]), [{ complete: 1, incomplete: 0, downloaded: 1 }]);
    const st = await s.stats();
    assert.deepEqual([st.torrents, st.seeders, st.leechers, st.downloaded], [1, 1, 0, 1]);
  });

  test(`${name} store: numwant bounds a random sample; families are kept apart`, async (t) => {
    const s = await make(t);
    const base = { infoHash: hash(2), numwant: 0, families: 'both' as const, nowMs: 1_000_000, seeder: false, event: 'started' as const };
    for (let i = 0; i < 40; i++) await s.announce({ ...base, peerId: peerId(i), addr: v4(i) });
    const v6 = Buffer.alloc(18, 0x20);
    await s.announce({ ...base, peerId: peerId(100), addr: v6 });
    const seen = new Set<string>();
    for (let k = 0; k < 10; k++) {
      const r = await s.announce({ ...base, peerId: peerId(0), addr: v4(0), numwant: 5, event: 'none', families: 'v4' });
      assert.equal(r.peers4.length, 5 * 6);
      assert.equal(r.peers6.length, 0);
      for (let i = 0; i < 5; i++) {
        const addr = r.peers4.subarray(i * 6, i * 6 + 6);
        assert.notDeepEqual(addr, v4(0));
        seen.add(addr.toString('hex'));
      }
    }
    assert.ok(seen.size > 5, 'samples differ between announces');
    // The dense case (numwant over half the swarm): still distinct peers, never the asker.
    for (let i = 0; i < 8; i++) await s.announce({ ...base, infoHash: hash(7), peerId: peerId(i), addr: v4(i) });
    for (let k = 0; k < 20; k++) {
      const r = await s.announce({ ...base, infoHash: hash(7), peerId: peerId(0), addr: v4(0), numwant: 5, event: 'none', families: 'v4' });
      const addrs = Array.from({ length: r.peers4.length / 6 }, (_, i) => r.peers4.subarray(i * 6, i * 6 + 6).toString('hex'));
      assert.equal(addrs.length, 5);
      assert.equal(new Set(addrs).size, 5, 'no peer twice');
      assert.ok(!addrs.includes(v4(0).toString('hex')), 'never the asker');
    }
    const only6 = await s.announce({ ...base, peerId: peerId(1), addr: v4(1), numwant: 50, event: 'none', families: 'v6' });
    assert.deepEqual([only6.peers4.length, only6.peers6], [0, v6]);
    const all = await s.announce({ ...base, peerId: peerId(1), addr: v4(1), numwant: 200, event: 'none', families: 'both', withPeerIds: true });
    assert.equal(all.peers4.length / 6 + all.peers6.length / 18, 40, '39 other IPv4 peers and the IPv6 one');
    assert.equal(all.ids4?.length, 39);
    assert.ok(all.ids4!.every((id, i) => id.equals(peerId(all.peers4.readUInt16BE(i * 6 + 2)))), 'each id matches its address');
  });

  test(`${name} store: peers that stop announcing expire; caps hold`, async (t) => {
    const s = await make(t);
    const base = { numwant: 10, families: 'both' as const, seeder: false, event: 'started' as const };
    await s.announce({ ...base, infoHash: hash(3), peerId: peerId(1), addr: v4(1), nowMs: 1_000_000 });
    await s.announce({ ...base, infoHash: hash(3), peerId: peerId(2), addr: v4(2), nowMs: 1_050_000 });
    assert.equal(await s.sweep(1_000_000 + 61_000), 1);
    assert.deepEqual(await s.scrape([hash(3)]), [{ complete: 0, incomplete: 1, downloaded: 0 }]);
    // maxTorrents = 3: a fourth torrent is refused with TRACKER_FULL.
    await s.announce({ ...base, infoHash: hash(4), peerId: peerId(1), addr: v4(1), nowMs: 1_060_000 });
    await s.announce({ ...base, infoHash: hash(5), peerId: peerId(1), addr: v4(1), nowMs: 1_060_000 });
    await assert.rejects(s.announce({ ...base, infoHash: hash(6), peerId: peerId(1), addr: v4(1), nowMs: 1_060_000 }), (e: unknown) => (e as { code: string }).code === 'TRACKER_FULL');
    // maxPeersPerTorrent = 50: the 51st peer is answered but not stored.
    for (let i = 0; i < 60; i++) await s.announce({ ...base, infoHash: hash(4), peerId: peerId(1000 + i), addr: v4(1000 + i), nowMs: 1_060_000 });
    const [sc] = await s.scrape([hash(4)]);
    assert.equal(sc!.incomplete, 50);
  });
}
