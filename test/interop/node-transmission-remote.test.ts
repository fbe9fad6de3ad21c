import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, until } from '../helpers/daemon.js';
import { makeTree, treeHashes } from '../helpers/peer-fixtures.js';
import { freeTcpPort } from '../helpers/ports.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { requireProgram } from '../helpers/programs.js';
import { tempDir } from '../helpers/tmp.js';
import type { SessionSettings, TorrentDetail, TorrentSummary } from '../../src/node/index.js';

/**
 * Debian's transmission-remote (transmission-cli 3.00) drives tandem's daemon through Transmission's RPC: add a
 * .torrent and a magnet, list, details, files, stop and start, limits, remove with and without data, with and
 * without Basic authentication. The seeds are `tandem share`s announcing to the daemon's own tracker, so the
 * daemon finds them the way it finds any swarm.
 */

async function share(t: { after: (fn: () => void) => void }, path: string, tracker: string, torrentOut: string): Promise<string> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', path, '-t', tracker, '--listen', '127.0.0.1', '--no-dht', '--torrent-out', torrentOut]);
  const [, magnet] = await waitForLine(child, /^magnet: (magnet:\?\S+)/, 30_000);
  return magnet!;
}

test('transmission-remote: add a .torrent and a magnet, -l, -i, -f, stop/start, -d/-u, remove with and without data', async (t) => {
  const remoteBin = requireProgram('transmission-remote', 'transmission-cli');
  const dir = await tempDir(t);
  const trackerPort = await freeTcpPort();
  const tracker = `http://127.0.0.1:${trackerPort}/announce`;
  const state = join(dir, 'state');
  const dl = join(dir, 'dl');
  const daemon = await startDaemon(t, state, ['--download-dir', dl, '--tracker-http', `127.0.0.1:${trackerPort}`]);
  const rpc = daemon.url.replace(/^http:\/\//, '').replace(/\/$/, '');
  const tr = (...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => run(remoteBin, [rpc, ...args], { timeoutMs: 20_000 });

  const one = await makeTree(join(dir, 'src1'), 'alpha', 8);
  const two = await makeTree(join(dir, 'src2'), 'beta', 4);
  await share(t, one, tracker, join(dir, 'alpha.torrent'));
  const magnet = await share(t, two, tracker, join(dir, 'beta.torrent'));

  const addFile = await tr('-a', join(dir, 'alpha.torrent'));
  assert.equal(addFile.code, 0, addFile.stderr);
  assert.match(addFile.stdout, /responded: "success"/);
  const addMagnet = await tr('-a', magnet.replace(/&(tr|x\.pe)=[^&]*/g, '') + `&tr=${encodeURIComponent(tracker)}`);
  assert.equal(addMagnet.code, 0, addMagnet.stderr);

  const list = await until('both torrents complete in transmission-remote -l', async () => {
    const r = await tr('-l');
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s/.test(l));
    return rows.length === 2 && rows.every((l) => /\s100%\s/.test(l)) ? r.stdout : undefined;
  }, 60_000);
  assert.match(list, /\balpha$/m);
  assert.match(list, /\bbeta$/m);
  assert.match(list, /^Sum:/m);
  assert.deepEqual(await treeHashes(join(dl, 'alpha')), await treeHashes(one));
  assert.deepEqual(await treeHashes(join(dl, 'beta')), await treeHashes(two));

  const info = await tr('-t', '1', '-i');
  assert.match(info.stdout, /Name: alpha/);
  assert.match(info.stdout, /Hash: [0-9a-f]{40}/);
  assert.match(info.stdout, new RegExp(`Location: ${dl.replace(/[/.]/g, '\\$&')}`));
  assert.match(info.stdout, /Percent Done: 100%/);
  const files = await tr('-t', '2', '-f');
  assert.match(files.stdout, /beta \(4 files\)/);
  assert.match(files.stdout, /100% Normal\s+Yes\s+.*beta\/sub\/deep\/b\.bin/);
  const trackers = await tr('-t', '1', '-it');
  assert.match(trackers.stdout, /Asking for more peers in \d+ min/, 'the next announce, from trackerStats');
  const peers = await tr('-t', '1', '-pi');
  assert.equal(peers.code, 0, peers.stderr);
  assert.match(peers.stdout, /^Address\s+Flags/m);

  assert.equal((await tr('-t', '1', '-S')).code, 0);
  await until('torrent 1 stopped', async () => (/^\s+1\s.*(Stopped|Finished)\s+alpha$/m.test((await tr('-l')).stdout) ? true : undefined));
  assert.equal((await tr('-t', '1', '-s')).code, 0);
  await until('torrent 1 seeding again', async () => (/^\s+1\s.*(Seeding|Idle)\s+alpha$/m.test((await tr('-l')).stdout) ? true : undefined));

  assert.equal((await tr('-d', '100', '-u', '50')).code, 0);
  const settings = await daemon.rpc<SessionSettings>('session.get');
  assert.equal(settings.downloadLimitBytesPerSec, 100_000);
  assert.equal(settings.uploadLimitBytesPerSec, 50_000);
  assert.equal((await tr('-D', '-U')).code, 0);
  assert.equal((await daemon.rpc<SessionSettings>('session.get')).downloadLimitBytesPerSec, 0);

  // Seed ratio modes, file priorities and reannounce as transmission-remote sends them.
  assert.equal((await tr('-t', '2', '-sr', '2.5')).code, 0);
  let two2 = await daemon.rpc<TorrentDetail>('torrent.get', { ids: 2 });
  assert.deepEqual([two2.seedRatioMode, two2.seedRatioLimit], ['own', 2.5]);
  assert.match((await tr('-t', '2', '-i')).stdout, /Ratio Limit: 2\.5$/m);
  assert.equal((await tr('-t', '2', '-SR')).code, 0);
  assert.equal((await daemon.rpc<TorrentDetail>('torrent.get', { ids: 2 })).seedRatioMode, 'unlimited');
  assert.equal((await tr('-t', '2', '-srd')).code, 0);
  assert.equal((await daemon.rpc<TorrentDetail>('torrent.get', { ids: 2 })).seedRatioMode, 'global');
  assert.equal((await tr('-gsr', '3')).code, 0);
  assert.equal((await daemon.rpc<SessionSettings>('session.get')).seedRatioLimit, 3);
  assert.match((await tr('-t', '2', '-i')).stdout, /Ratio Limit: Default/);
  assert.equal((await tr('-t', '2', '-ph', '1')).code, 0);
  assert.equal((await tr('-t', '2', '-pl', '2')).code, 0);
  two2 = await daemon.rpc<TorrentDetail>('torrent.get', { ids: 2 });
  assert.deepEqual(two2.files.map((f) => f.priority).slice(0, 3), [0, 1, -1]);
  assert.match((await tr('-t', '2', '-f')).stdout, /High\s+Yes/);
  const re = await tr('-t', '2', '--reannounce');
  assert.equal(re.code, 0, re.stderr);
  assert.match(re.stdout, /success/);

  assert.equal((await tr('-t', '1', '--remove-and-delete')).code, 0);
  assert.equal((await tr('-t', '2', '-r')).code, 0);
  const left = await daemon.rpc<TorrentSummary[]>('torrent.list');
  assert.equal(left.length, 0);
  assert.equal(existsSync(join(dl, 'alpha')), false, 'remove-and-delete deleted the data');
  assert.equal(existsSync(join(dl, 'beta', 'a.bin')), true, 'remove kept the data');
});

test('transmission-remote with -n USER:PASS against a daemon with --rpc-auth; refused without it', async (t) => {
  const remoteBin = requireProgram('transmission-remote', 'transmission-cli');
  const dir = await tempDir(t);
  const daemon = await startDaemon(t, join(dir, 'state'), ['--rpc-auth', 'alice:s3cret word']);
  const rpc = daemon.url.replace(/^http:\/\//, '').replace(/\/$/, '');
  const good = await run(remoteBin, [rpc, '-n', 'alice:s3cret word', '-l'], { timeoutMs: 20_000 });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /^\s+ID\s+Done/m);
  const none = await run(remoteBin, [rpc, '-l'], { timeoutMs: 20_000 });
  assert.notEqual(none.code, 0);
  assert.match(none.stdout + none.stderr, /authentication required/);
  const wrong = await run(remoteBin, [rpc, '-n', 'alice:nope', '-l'], { timeoutMs: 20_000 });
  assert.notEqual(wrong.code, 0);
});

