import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveInQueue, queueVerdicts, type QueueItem } from '../../src/node/queue.js';
import { checkSettings, mergeStored } from '../../src/node/settings.js';
import { defaultSettings, defaultStateDir } from '../../src/node/defaults.js';
import { checkConfig } from '../../src/cli/daemon-config.js';
import { hostOf, isLoopbackHostName } from '../../src/api/security.js';
import { statusCode } from '../../src/api/transmission/fields.js';
import type { TorrentSummary } from '../../src/node/index.js';

/** Queue items from a string, one character each: d download, s seed (complete), p paused, e error, m metadata-only. */
function items(text: string): QueueItem[] {
  return [...text].map((c) => ({ paused: c === 'p', complete: c === 's', failed: c === 'e', metadataOnly: c === 'm' }));
}
const verdicts = (text: string, downloads: number, seeds: number): string =>
  queueVerdicts(items(text), downloads, seeds).map((v) => ({ run: 'R', queued: 'Q', stopped: '-' })[v]).join('');

test('queue: downloads and seeds have their own slots, in queue order', () => {
  const cases: [string, number, number, string][] = [
    ['ddd', 2, 2, 'RRQ'],
    ['sds', 1, 1, 'RRQ'],
    ['pdd', 1, 5, '-RQ'],
    ['edd', 1, 5, '-RQ'],
    ['mdd', 1, 5, 'RRQ'], // a paused magnet fetching metadata takes no slot
    ['ddd', 0, 5, 'QQQ'],
    ['', 3, 3, ''],
  ];
  for (const [text, d, s, want] of cases) assert.equal(verdicts(text, d, s), want, `${text} with ${d}/${s}`);
});

test('queue moves: top, up, down, bottom keep a moving block together', () => {
  const order = [1, 2, 3, 4, 5];
  assert.deepEqual(moveInQueue(order, new Set([4]), 'top'), [4, 1, 2, 3, 5]);
  assert.deepEqual(moveInQueue(order, new Set([2, 4]), 'bottom'), [1, 3, 5, 2, 4]);
  assert.deepEqual(moveInQueue(order, new Set([3, 4]), 'up'), [1, 3, 4, 2, 5]);
  assert.deepEqual(moveInQueue(order, new Set([1]), 'up'), [1, 2, 3, 4, 5]);
  assert.deepEqual(moveInQueue(order, new Set([2, 3]), 'down'), [1, 4, 2, 3, 5]);
  assert.deepEqual(moveInQueue(order, new Set([5]), 'down'), [1, 2, 3, 4, 5]);
});

test('settings: unknown keys and wrong values are refused with their name; stored junk falls back to defaults', () => {
  assert.deepEqual(checkSettings({ maxActiveDownloads: 3, dht: false }), { maxActiveDownloads: 3, dht: false });
  assert.throws(() => checkSettings({ maxActive: 3 }), /unknown setting "maxActive"/);
  assert.throws(() => checkSettings({ peerPort: 70000 }), /"peerPort" must be a port/);
  assert.throws(() => checkSettings({ downloadDir: 'relative/path' }), /"downloadDir" must be an absolute path/);
  assert.throws(() => checkSettings({ encryption: 'maybe' }), /allow, prefer or require/);
  const merged = mergeStored(defaultSettings('/home/x'), { peerPort: 'nope', maxActiveSeeds: 7 });
  assert.equal(merged.peerPort, defaultSettings('/home/x').peerPort);
  assert.equal(merged.maxActiveSeeds, 7);
});

test('the state dir: TANDEM_STATE_DIR, else XDG_STATE_HOME/tandem, else ~/.local/state/tandem', () => {
  assert.equal(defaultStateDir({ TANDEM_STATE_DIR: '/s' }, '/h'), '/s');
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/x' }, '/h'), '/x/tandem');
  assert.equal(defaultStateDir({}, '/h'), '/h/.local/state/tandem');
});

test('daemon config: known keys with the right types pass; anything else names the key', () => {
  assert.deepEqual(checkConfig({ rpc: '127.0.0.1:9091', port: 6881, dhtBootstrap: ['127.0.0.1:1'] }, 'c.json'), { rpc: '127.0.0.1:9091', port: 6881, dhtBootstrap: ['127.0.0.1:1'] });
  assert.throws(() => checkConfig({ rpcPort: 1 }, 'c.json'), /c\.json: unknown key "rpcPort"/);
  assert.throws(() => checkConfig({ port: '6881' }, 'c.json'), /c\.json: "port" must be a port number/);
  assert.throws(() => checkConfig({ seed: 'yes' }, 'c.json'), /"seed" must be true or false/);
  assert.throws(() => checkConfig({ seedRatioLimit: -1 }, 'c.json'), /"seedRatioLimit" must be a number from 0/);
  assert.deepEqual(checkConfig({ seedRatioLimit: 1.5, altSpeedEnabled: true, altSpeedDownBytesPerSec: 50_000 }, 'c.json'), { seedRatioLimit: 1.5, altSpeedEnabled: true, altSpeedDownBytesPerSec: 50_000 });
  assert.throws(() => checkConfig([], 'c.json'), /must be a JSON object/);
});

test('Host headers: only loopback names and addresses count as loopback (DNS rebinding)', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1:9091', true],
    ['localhost:9091', true],
    ['[::1]:9091', true],
    ['127.5.6.7', true],
    ['evil.example:9091', false],
    ['127.0.0.1.evil.example', false],
    ['[::ffff:10.0.0.1]:80', false],
    ['0.0.0.0:9091', false],
  ];
  for (const [header, loopback] of cases) assert.equal(isLoopbackHostName(hostOf(header)), loopback, header);
  assert.equal(isLoopbackHostName(hostOf(undefined)), false);
});

test('Transmission status codes from node states', () => {
  const s = (status: TorrentSummary['status'], progress = 0): number => statusCode({ status, progress } as TorrentSummary);
  assert.equal(s('stopped'), 0);
  assert.equal(s('checking'), 2);
  assert.equal(s('queued'), 3);
  assert.equal(s('queued', 1), 5);
  assert.equal(s('downloading'), 4);
  assert.equal(s('seeding', 1), 6);
});

test('torrent-get text: the JSON written straight matches the object form, and raw parts are spliced unquoted', async () => {
  const { FIELDS, knownFields, torrentJson, torrentObject } = await import('../../src/api/transmission/fields.js');
  const { RawJson, replyText } = await import('../../src/api/transmission/methods.js');
  const summary = {
    id: 7, infoHash: 'ab'.repeat(20), name: 'a "quoted"\n name', status: 'downloading', totalBytes: 100, wantedBytes: 80, verifiedBytes: 40, progress: 0.5,
    pieceCount: 4, piecesHave: 2, downloadRateBytesPerSec: 1000, uploadRateBytesPerSec: 0, downloadedBytes: 40, uploadedBytes: 0, ratio: 0, peers: 2, seeds: 1,
    etaSeconds: 40, labels: ['x'], savePath: '/d', sequential: false, queuePosition: 0, downloadLimitBytesPerSec: 0, uploadLimitBytesPerSec: 0, addedAt: 1_000_000,
    completedAt: 0, webSeedBytes: 0, seedRatioLimit: 1.5, seedRatioMode: 'own', error: '',
  } as TorrentSummary;
  const fields = [...Object.keys(FIELDS).filter((f) => !['files', 'fileStats', 'wanted', 'priorities', 'peers', 'peersFrom', 'trackers', 'trackerStats', 'webseeds', 'isPrivate', 'comment', 'magnetLink', 'pieceSize', 'pieces', 'activityDate'].includes(f)), 'noSuchField'];
  const noDetail = (): never => {
    throw new Error('detail not needed');
  };
  assert.deepEqual(JSON.parse(torrentJson(summary, noDetail, knownFields(fields))), torrentObject(summary, noDetail, fields));
  const text = replyText({ result: 'success', arguments: { torrents: new RawJson('[{"id":1}]'), note: 'x' } });
  assert.deepEqual(JSON.parse(text), { result: 'success', arguments: { torrents: [{ id: 1 }], note: 'x' } });
});
