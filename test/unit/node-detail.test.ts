// The pure parts of a torrent's details and of the session that the web UI shows: piece states, the trackers'
// schedule, web seeds' bytes, the hashing progress of a torrent being created, and the alternative speeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pieceStates, type PieceView } from '../../src/node/piece-states.js';
import { trackerList, webSeedList } from '../../src/node/detail-sources.js';
import { WebSeedTally } from '../../src/node/web-seed-tally.js';
import { createProgressReporter, type CreateProgress } from '../../src/node/create-progress.js';
import { globalLimits } from '../../src/node/alt-speed.js';
import { defaultSettings } from '../../src/node/defaults.js';
import { checkSettings } from '../../src/node/settings.js';
import { Bitfield } from '../../src/wire/index.js';
import { trackerStats } from '../../src/api/transmission/tracker-stats.js';
import type { TorrentTrackerInfo } from '../../src/node/index.js';

/** A picker's view from one character per piece: h have, d under way, a available from a peer, . missing. */
function view(text: string): PieceView {
  const have = new Bitfield(text.length);
  [...text].forEach((c, i) => c === 'h' && have.set(i));
  return { pieceCount: text.length, have, isStarted: (i) => text[i] === 'd', availabilityOf: (i) => (text[i] === 'a' ? 2 : 0) };
}

/** A base64 bitfield back to one character per piece, `c` where set. */
function bits(b64: string, count: number, c: string): string {
  const f = new Bitfield(count, Buffer.from(b64, 'base64'));
  return Array.from({ length: count }, (_, i) => (f.has(i) ? c : '.')).join('');
}

test('piece states: downloading and available are exclusive of have and of each other, in BEP 3 bit order', () => {
  const text = 'hhdaa..dh.a';
  const s = pieceStates(view(text));
  assert.equal(bits(s.piecesDownloading, text.length, 'd'), '..d....d...');
  assert.equal(bits(s.piecesAvailable, text.length, 'a'), '...aa.....a');
  // A had piece stays had even while a peer has it too and a stale mark says started.
  const odd: PieceView = { ...view('h'), isStarted: () => true, availabilityOf: () => 5 };
  assert.deepEqual(pieceStates(odd), { piecesDownloading: Buffer.from([0]).toString('base64'), piecesAvailable: Buffer.from([0]).toString('base64') });
  assert.deepEqual(pieceStates(undefined), { piecesDownloading: '', piecesAvailable: '' });
});

test("trackers: the announcer's schedule goes to the tracker it names; the rest are idle", () => {
  const base = (url: string, tier: number): TorrentTrackerInfo => ({ url, tier, lastAnnounceAt: 5, lastResult: 'Success', seeders: 3, leechers: -1, lastPeerCount: 4, nextAnnounceAt: 0, announcing: false });
  const map = new Map([['http://a/announce', base('http://a/announce', 0)], ['udp://b:1', base('udp://b:1', 1)]]);
  const list = trackerList(map, { announcing: 'udp://b:1', next: { url: 'http://a/announce', atMs: 1_000 } });
  assert.deepEqual(list.map((t) => [t.url, t.nextAnnounceAt, t.announcing]), [['http://a/announce', 1_000, false], ['udp://b:1', 0, true]]);
  list[0]!.seeders = 99;
  assert.equal(map.get('http://a/announce')!.seeders, 3, 'a copy, never the node’s own object');
  assert.deepEqual(trackerList(undefined, undefined), []);
  // Transmission's trackerStats: the due one waits (state 1), the other is a backup; times in seconds.
  const stats = trackerStats(trackerList(map, { next: { url: 'http://a/announce', atMs: 90_000 } }));
  assert.deepEqual(stats.map((t) => [t.announceState, t.isBackup, t.nextAnnounceTime, t.lastAnnouncePeerCount]), [[1, false, 90, 4], [0, true, 0, 4]]);
  assert.equal(trackerStats(trackerList(map, { announcing: 'udp://b:1' }))[1]!.announceState, 3);
  assert.equal(trackerStats(trackerList(map, undefined))[0]!.isBackup, false, 'a stopped torrent has no backups, only idle trackers');
});

test('web seeds: each once, in the torrent’s order, with its lifetime bytes and what is in flight now', () => {
  const urls = ['http://x/f', 'http://y/f', 'http://x/f'];
  assert.deepEqual(webSeedList(urls, [{ url: 'http://y/f', inFlight: 2 }], new Map([['http://x/f', 300], ['http://y/f', 700]])), [
    { url: 'http://x/f', bytes: 300, inFlight: 0 },
    { url: 'http://y/f', bytes: 700, inFlight: 2 },
  ]);
  assert.deepEqual(webSeedList(['http://x/f'], undefined, new Map()), [{ url: 'http://x/f', bytes: 0, inFlight: 0 }]);
});

test('web seed tally: stored totals plus the running swarm’s new bytes, folded once, across a restart of the torrent', () => {
  const tally = new WebSeedTally();
  const stored = { 'http://x/f': 1_000 };
  const live = (x: number, y: number) => [{ url: 'http://x/f', bytes: x, inFlight: 0 }, { url: 'http://y/f', bytes: y, inFlight: 0 }];
  assert.deepEqual([...tally.current(stored, live(200, 50))], [['http://x/f', 1_200], ['http://y/f', 50]]);
  assert.equal(tally.total(stored, live(200, 50)), 1_250, 'the total is the sum of the same');
  const folded = tally.fold(stored, live(200, 50))!;
  assert.deepEqual(folded, { 'http://x/f': 1_200, 'http://y/f': 50 });
  assert.equal(tally.fold(folded, live(200, 50)), undefined, 'nothing new: nothing to store');
  assert.deepEqual([...tally.current(folded, live(300, 50))], [['http://x/f', 1_300], ['http://y/f', 50]], 'not counted twice');
  assert.equal(tally.total(folded, live(300, 50)), 1_350);
  tally.reset(); // the torrent starts again: the swarm counts from 0
  assert.deepEqual(tally.fold(folded, live(10, 0)), { 'http://x/f': 1_210, 'http://y/f': 50 });
  assert.deepEqual(stored, { 'http://x/f': 1_000 }, 'the stored object is never changed in place');
});

test('create progress: the first and last always, in between at most one per interval', () => {
  const sent: CreateProgress[] = [];
  let now = 0;
  const report = createProgressReporter((p) => sent.push(p), 'job-1', '/data', () => now, 250);
  report(10, 100);
  now = 100;
  report(20, 100); // too soon
  now = 260;
  report(30, 100);
  now = 270;
  report(100, 100); // the last, however soon
  assert.deepEqual(sent.map((p) => p.hashedBytes), [10, 30, 100]);
  assert.deepEqual(sent[0], { job: 'job-1', path: '/data', hashedBytes: 10, totalBytes: 100 });
});

test('alternative speeds: replace both global limits while on; checked like any setting', () => {
  const s = { ...defaultSettings('/h'), downloadLimitBytesPerSec: 1_000_000, uploadLimitBytesPerSec: 0, altSpeedDownBytesPerSec: 50_000, altSpeedUpBytesPerSec: 20_000 };
  assert.deepEqual(globalLimits(s), { downBytesPerSec: 1_000_000, upBytesPerSec: 0 });
  assert.deepEqual(globalLimits({ ...s, altSpeedEnabled: true }), { downBytesPerSec: 50_000, upBytesPerSec: 20_000 });
  assert.equal(defaultSettings('/h').altSpeedEnabled, false);
  assert.equal(defaultSettings('/h').altSpeedDownBytesPerSec, 50_000, "Transmission's 50 kB/s");
  assert.throws(() => checkSettings({ altSpeedEnabled: 'yes' }), /"altSpeedEnabled" must be true or false/);
  assert.throws(() => checkSettings({ altSpeedUpBytesPerSec: -1 }), /"altSpeedUpBytesPerSec" must be bytes per second/);
});
