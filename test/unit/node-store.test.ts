import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { NodeStore } from '../../src/node/store.js';
import { SCHEMA_VERSION } from '../../src/node/schema.js';
import { Node } from '../../src/node/index.js';
import { answerBody } from '../../src/api/jsonrpc.js';
import { EventLog } from '../../src/api/event-log.js';
import { tempDir } from '../helpers/tmp.js';
import { torrentRecord as record } from '../helpers/torrent-record.js';

test('store: a record round-trips; ids are never reused after a delete; resume data and counters persist', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'state.db');
  const store = NodeStore.open(path);
  const a = store.insertTorrent(record('one'));
  const b = store.insertTorrent(record('two'));
  store.deleteTorrent(b);
  const c = store.insertTorrent(record('three'));
  assert.ok(c > b, 'AUTOINCREMENT: a deleted id is not given again');
  store.updateTorrent(a, { labels: ['x'], paused: false });
  store.saveResume(a, Buffer.from([0xf0]), [[10, 20], null]);
  store.addCounters({ uploadedBytes: 7 });
  store.addCounters({ uploadedBytes: 3 });
  store.setSettings({ maxActiveDownloads: 2 });
  store.close();
  const again = NodeStore.open(path);
  t.after(() => again.close());
  const rows = again.listTorrents();
  assert.deepEqual(rows.map((r) => r.id), [a, c]);
  assert.deepEqual({ ...rows[0]!, id: 0 }, { ...record('one'), id: 0, labels: ['x'], paused: false, hasTorrent: false });
  assert.deepEqual(again.loadResume(a)?.files, [[10, 20], null]);
  assert.deepEqual(again.getCounters(), { uploadedBytes: 10 });
  assert.deepEqual(again.getSettings(), { maxActiveDownloads: 2 });
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

test('store: a file that is not SQLite, or a database from a newer tandem, is a clear error naming the file', async (t) => {
  const dir = await tempDir(t);
  const junk = join(dir, 'junk.db');
  await writeFile(junk, 'this is not a database at all, just text');
  assert.throws(() => NodeStore.open(junk), (err: Error & { code?: string }) => err.code === 'NODE_STATE_CORRUPT' && err.message.includes(junk));
  const newer = join(dir, 'newer.db');
  const db = new Database(newer);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => NodeStore.open(newer), /newer than this tandem's/);
});

test('JSON-RPC: any JSON body gets a well-formed reply, never a throw (fuzz)', async (t) => {
  const dir = await tempDir(t);
  const node = await Node.open({ stateDir: dir });
  t.after(() => node.stop());
  const methods = ['session.get', 'torrent.list', 'torrent.get', 'torrent.pause', 'torrent.set', 'server.stop', 'torrent.queueMove', 'nope', '__proto__', 'constructor'];
  const request = fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      method: fc.oneof(fc.constantFrom(...methods), fc.jsonValue()),
      params: fc.oneof(fc.dictionary(fc.constantFrom('ids', 'id', 'to', 'kind', 'labels', 'sequential'), fc.jsonValue()), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );
  await fc.assert(
    fc.asyncProperty(fc.oneof(request, fc.array(request, { maxLength: 5 }), fc.jsonValue()), async (body) => {
      const reply = (await answerBody(node, body)) as { jsonrpc?: string; error?: { code: number } } | { jsonrpc: string }[] | undefined;
      for (const r of reply === undefined ? [] : Array.isArray(reply) ? reply : [reply]) {
        assert.equal((r as { jsonrpc: string }).jsonrpc, '2.0');
        const e = (r as { error?: { code: unknown } }).error;
        if (e) assert.equal(typeof e.code, 'number');
      }
    }),
    { numRuns: 500 },
  );
  assert.equal(node.torrents.list().length, 0);
});

test('event log: a client gets exactly the events after its sequence number, or undefined once they are gone', async (t) => {
  const dir = await tempDir(t);
  const node = await Node.open({ stateDir: dir });
  t.after(() => node.stop());
  const log = new EventLog(node, 5);
  t.after(() => log.close());
  for (let i = 0; i < 8; i++) node.warn(`w${i}`);
  assert.equal(log.lastSeq, 8);
  assert.deepEqual(log.since(6)!.map((e) => e.seq), [7, 8]);
  assert.deepEqual(log.since(8), []);
  assert.deepEqual(log.since(3)!.map((e) => e.message), ['w3', 'w4', 'w5', 'w6', 'w7']);
  assert.equal(log.since(2), undefined, 'event 3 was dropped from the ring');
  assert.equal(log.since(9), undefined, 'a number not handed out yet');
});

test('event log: numbers go on rising across restarts, so an old number gets a snapshot rather than the wrong events', async (t) => {
  const dir = await tempDir(t);
  const first = await Node.open({ stateDir: dir });
  const log1 = new EventLog(first);
  first.warn('before');
  const before = log1.lastSeq;
  log1.close();
  // No clean stop: the reservation was committed before the number was used.
  const again = await Node.open({ stateDir: dir });
  t.after(async () => {
    await again.stop();
    await first.stop().catch(() => undefined);
  });
  const log2 = new EventLog(again);
  t.after(() => log2.close());
  again.warn('after');
  again.warn('after 2');
  assert.ok(log2.lastSeq > before + 1, `${log2.lastSeq} follows ${before}`);
  assert.equal(log2.since(before), undefined, "the first run's last number is too old here: a snapshot");
  assert.deepEqual(log2.since(log2.lastSeq - 1)!.map((e) => e.message), ['after 2']);
});
