// BEP 3: a tracker's `failure reason` and `warning message` reach the person running `tandem get`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from '../../src/bencode/index.js';
import { startProcess, tandem, TANDEM_BIN, waitForLine } from '../helpers/processes.js';
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
  const seed = startProcess(t, process.execPath, [TANDEM_BIN, 'share', file, '--port', '0', '--no-dht', '--torrent-out', torrent, '-t', `http://127.0.0.1:${port}/fail/announce`, '-t', `http://127.0.0.1:${port}/warn/announce`]);
  const [, seedPort] = await waitForLine(seed, /on port (\d+)/);

  const r = await tandem(['get', torrent, '-o', join(root, 'out'), '--peer', `127.0.0.1:${seedPort}`, '--no-dht'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`tracker http://127\\.0\\.0\\.1:${port}/fail/announce: .*torrent not registered here`));
  assert.match(r.stderr, new RegExp(`tracker http://127\\.0\\.0\\.1:${port}/warn/announce: client version is old`));
  assert.equal(r.stderr.split('client version is old').length - 1, 1, 'each message is shown once');
});
