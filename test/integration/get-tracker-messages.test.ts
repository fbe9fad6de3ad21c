// BEP 3: a tracker's `failure reason` and `warning message` reach the person running `tandem get`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from '../../src/bencode/index.js';
import { setTimeout as delay } from 'node:timers/promises';
import { startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';

test('get shows a failing tracker\'s reason and a working tracker\'s warning, once each', async (t) => {
  const root = await tempDir(t);
  const server = createServer((req, res) => {
    const body = req.url!.startsWith('/fail/')
      ? encode({ 'failure reason': 'torrent not registered here' })
      : encode({ interval: 1800, peers: Buffer.alloc(0), 'warning message': 'client version is old' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };

  const file = join(root, 'data.bin');
  await writeFile(file, patternBytes(300_000, 11));
  const torrent = join(root, 'data.torrent');
  const seed = startProcess(t, process.execPath, [...TANDEM_ARGV, 'share', file, '--port', '0', '--listen', '127.0.0.1', '--no-dht', '--torrent-out', torrent, '-t', `http://127.0.0.1:${port}/fail/announce`, '-t', `http://127.0.0.1:${port}/warn/announce`]);
  const [, seedPort] = await waitForLine(seed, / port (\d+); press Ctrl-C/);

  // --seed keeps the getter running after the download, so the test waits for the trackers' answers instead of
  // racing a 300 kB download on loopback; the `completed` announce repeats the warning, which must not be shown again.
  const getter = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', torrent, '-o', join(root, 'out'), '--peer', `127.0.0.1:${seedPort}`, '--listen', '127.0.0.1', '--no-dht', '--seed']);
  let stdout = '';
  let stderr = '';
  getter.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  getter.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const failed = new RegExp(`tracker http://127\\.0\\.0\\.1:${port}/fail/announce: .*torrent not registered here`);
  const warned = new RegExp(`tracker http://127\\.0\\.0\\.1:${port}/warn/announce: client version is old`);
  for (let waitedMs = 0; !(failed.test(stderr) && warned.test(stderr) && /seeding/.test(stdout)); waitedMs += 100) {
    assert.ok(waitedMs < 30_000 && getter.exitCode === null, `no tracker messages and seeding line; stdout:\n${stdout}\nstderr:\n${stderr}`);
    await delay(100);
  }
  await delay(500); // time for the `completed` announce, whose repeated warning must stay hidden
  const exited = new Promise<number | null>((resolve) => getter.once('exit', resolve));
  getter.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  assert.equal(stderr.split('client version is old').length - 1, 1, 'each message is shown once');
});
