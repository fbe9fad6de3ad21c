// `tandem serve --seed` against real programs: curl sees the Link header and fetches the torrent it names, and
// libtorrent downloads the file from that torrent alone (our mounted tracker, the server's peer, the web seed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTorrent } from '../../src/metainfo/index.js';
import { DEBIAN_PYTHON, requireLibtorrent, requireProgram } from '../helpers/programs.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const CURL = requireProgram('curl', 'curl');
const LT_PEER = fileURLToPath(new URL('../../../test/interop/helpers/lt_peer.py', import.meta.url));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('curl -I shows the Link header of a seeded file; libtorrent downloads through the torrent it names', async (t) => {
  requireLibtorrent();
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = randomBytes(3 * 1024 * 1024 + 99);
  await writeFile(join(root, 'big.bin'), data);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--seed', '--seed-cache', join(dir, 'cache'), '--json']);
  const base = JSON.parse((await waitForLine(server, /^(\{.*"event":"listening".*\})$/))[1]!).url as string;

  let head = '';
  const deadline = Date.now() + 30_000;
  while (!/^link:/im.test(head)) {
    assert.ok(Date.now() < deadline, `no Link header; last reply:\n${head}`);
    const r = await run(CURL, ['-sS', '-I', base + 'big.bin'], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, r.stderr);
    head = r.stdout;
    if (!/^link:/im.test(head)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.match(head, /^HTTP\/1\.1 200 OK\r?$/m);
  assert.match(head, /^link: <\/big\.bin\?torrent>; rel="describedby"; type="application\/x-bittorrent"\r?$/im);

  const torrentPath = join(dir, 'big.torrent');
  const got = await run(CURL, ['-sS', '-f', '-o', torrentPath, '-w', '%{content_type}', base + 'big.bin?torrent'], { timeoutMs: 10_000 });
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout, 'application/x-bittorrent');
  const meta = parseTorrent(await readFile(torrentPath));
  assert.deepEqual(meta.urlList, [base + 'big.bin']);

  const leech = await run(DEBIAN_PYTHON, [LT_PEER, 'leech', torrentPath, join(dir, 'lt'), '--timeout', '90'], { timeoutMs: 120_000 });
  assert.equal(leech.code, 0, leech.stderr + leech.stdout.slice(-2000));
  assert.equal(sha256(await readFile(join(dir, 'lt', 'big.bin'))), sha256(data));
});
