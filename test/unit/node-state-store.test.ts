// One contract for both stores of the node's state: SQLite (the daemon's) and memory (a one-shot node's).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { NodeStore } from '../../src/node/store.js';
import { MemoryStore } from '../../src/node/memory-store.js';
import type { StateStore } from '../../src/node/state-store.js';
import { torrentRecord as record } from '../helpers/torrent-record.js';
import { tempDir } from '../helpers/tmp.js';

const stores: [string, (t: TestContext) => Promise<StateStore>][] = [
  ['sqlite', async (t) => {
    const s = NodeStore.open(join(await tempDir(t), 'state.db'));
    t.after(() => s.close());
    return s;
  }],
  ['memory', async () => new MemoryStore()],
];

for (const [kind, open] of stores) {
  test(`state store (${kind}): records in queue order, ids never reused, bytes loaded apart, resume gone with its torrent`, async (t) => {
    const store = await open(t);
    const a = store.insertTorrent(record('one', 2));
    const b = store.insertTorrent({ ...record('two', 1), torrent: Buffer.from('d4:infoe') });
    const c = store.insertTorrent(record('three', 1));
    assert.throws(() => store.insertTorrent(record('one')), 'one info hash, one torrent');
    assert.deepEqual(store.listTorrents().map((r) => r.id), [b, c, a], 'queue position, then id');
    const listed = store.listTorrents().find((r) => r.id === b)!;
    assert.equal(listed.torrent, null, 'a listing carries no .torrent bytes');
    assert.equal(listed.hasTorrent, true);
    assert.deepEqual(store.loadTorrentBytes(b), Buffer.from('d4:infoe'));
    assert.equal(store.loadTorrentBytes(a), null);
    store.saveResume(c, Buffer.from([0xf0]), [[10, 20], null]);
    assert.deepEqual(store.loadResume(c)?.files, [[10, 20], null]);
    assert.deepEqual(store.loadResume(c)?.bitfield, Buffer.from([0xf0]));
    store.deleteTorrent(c);
    assert.equal(store.loadResume(c), undefined);
    const d = store.insertTorrent(record('four'));
    assert.ok(d > c, 'a deleted id is not given again');
    store.updateMany([{ id: a, changes: { labels: ['x'], paused: false } }, { id: d, changes: { uploaded: 99 } }]);
    store.updateTorrent(12345, { paused: false }); // no such torrent: nothing happens
    const byId = new Map(store.listTorrents().map((r) => [r.id, r]));
    assert.deepEqual({ ...byId.get(a)!, id: 0 }, { ...record('one', 2), id: 0, labels: ['x'], paused: false, hasTorrent: false });
    assert.equal(byId.get(d)!.uploaded, 99);
  });

  test(`state store (${kind}): counters add up (rounded), settings merge as JSON, values are copies`, async (t) => {
    const store = await open(t);
    store.addCounters({ uploadedBytes: 7.4, zero: 0 });
    store.addCounters({ uploadedBytes: 3 });
    assert.deepEqual(store.getCounters(), { uploadedBytes: 10 });
    store.transaction(() => store.setSettings({ maxActiveDownloads: 2 }));
    store.setSettings({ dht: false });
    assert.deepEqual(store.getSettings(), { maxActiveDownloads: 2, dht: false });
    const given = record('five');
    const id = store.insertTorrent(given);
    given.labels.push('changed after insert');
    const got = store.listTorrents()[0]!;
    got.labels.push('changed after list');
    got.priorities['7'] = -1;
    assert.deepEqual(store.listTorrents()[0]!.labels, ['a', 'b']);
    assert.deepEqual(store.listTorrents()[0]!.priorities, { '1': 1 });
    assert.equal(store.listTorrents()[0]!.id, id);
  });
}
