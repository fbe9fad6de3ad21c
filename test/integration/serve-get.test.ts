// `tandem get http://` against `tandem serve --http`: a whole download, a resume from a partial file, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

test('tandem get http:// downloads, resumes a .part file with Range, and reports errors with exit codes', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = randomBytes(2 * 1024 * 1024 + 17);
  await writeFile(join(root, 'file name.bin'), data);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--access-log', join(dir, 'log')]);
  const url = (await waitForLine(server, /at (http:\S+)/))[1]!;

  const whole = await tandem(['get', url + 'file%20name.bin', '-o', join(dir, 'a'), '--json']);
  assert.equal(whole.code, 0, whole.stderr);
  assert.deepEqual(await readFile(join(dir, 'a', 'file name.bin')), data);
  const done = JSON.parse(whole.stdout.trim().split('\n').at(-1)!);
  assert.deepEqual([done.event, done.bytes, done.resumedFromBytes], ['done', data.length, 0]);

  // An interrupted earlier run left the first 1,000,000 bytes.
  await mkdir(join(dir, 'b'));
  await writeFile(join(dir, 'b', 'file name.bin.part'), data.subarray(0, 1_000_000));
  const resumed = await tandem(['get', url + 'file%20name.bin', '-o', join(dir, 'b'), '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(await readFile(join(dir, 'b', 'file name.bin')), data);
  assert.equal(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).resumedFromBytes, 1_000_000);
  await assert.rejects(stat(join(dir, 'b', 'file name.bin.part')));
  const log = await readFile(join(dir, 'log'), 'utf8');
  assert.match(log, /"GET \/file%20name\.bin HTTP\/1\.1" 206 1097169 /); // only the missing bytes travelled

  const missing = await tandem(['get', url + 'nope', '-o', join(dir, 'c')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /404/);
  const bad = await tandem(['get', 'http://', '-o', join(dir, 'c')]);
  assert.equal(bad.code, 2);
});

test('tandem serve: usage errors exit 2', async () => {
  const none = await tandem(['serve', '.']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--http/);
  const badAddr = await tandem(['serve', '.', '--http', 'nowhere']);
  assert.equal(badAddr.code, 2);
  const missingDir = await tandem(['serve', '/nonexistent-tandem-dir', '--http', '127.0.0.1:0']);
  assert.equal(missingDir.code, 2);
  const badLog = await tandem(['serve', '.', '--http', '127.0.0.1:0', '--access-log', '/nonexistent-tandem-dir/access.log']);
  assert.equal(badLog.code, 2);
  assert.match(badLog.stderr, /^tandem: --access-log: cannot open \/nonexistent-tandem-dir\/access\.log: ENOENT/);
  assert.doesNotMatch(badLog.stderr, /\n\s+at /); // one readable line, no stack
});

test('tandem serve: the access log goes to stdout by default, one Combined Log Format line per request', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.txt'), 'hello\n');
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0']);
  const url = (await waitForLine(server, /at (http:\S+)/))[1]!;
  const logged = waitForLine(server, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/a\.txt HTTP\/1\.1" 200 6 "-" "tandem-test"$/);
  const res = await fetch(url + 'a.txt', { headers: { 'user-agent': 'tandem-test' } });
  assert.equal(await res.text(), 'hello\n');
  await logged;
});

test('tandem serve: an access log that cannot be written (a full disk) is reported once, and serving goes on', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.txt'), 'hello\n');
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--access-log', '/dev/full']);
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = (await waitForLine(server, /at (http:\S+)/))[1]!;
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url + 'a.txt');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello\n');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(server.exitCode, null, 'the server is still running');
  assert.equal(stderr.match(/access log \/dev\/full: .*no longer logged/g)?.length, 1, stderr);
});
