// `tandem serve --tftp` logs every request, as the HTTP server does: one escaped line per transfer on stdout, and a
// JSON event under --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

async function serveTftp(t: Parameters<typeof tempDir>[0], extra: string[]): Promise<{ child: ReturnType<typeof startProcess>; root: string; port: number }> {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.bin'), Buffer.alloc(3000, 5));
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--tftp', '127.0.0.1:0', ...extra]);
  const port = Number((await waitForLine(child, /tftp:\/\/127\.0\.0\.1:(\d+)\/|"port":(\d+)/)).filter(Boolean)[1]);
  return { child, root, port };
}

test('serve --tftp: a log line per request, for a finished transfer and a refused one', async (t) => {
  const { child, root, port } = await serveTftp(t, []);
  const ok = waitForLine(child, /^127\.0\.0\.1:\d+ - - \[[^\]]+\] "RRQ a\.bin octet" ok 3000 \d+\.\d{3}s$/);
  const got = await tandem(['get', `tftp://127.0.0.1:${port}/a.bin`, '-o', join(root, 'out'), '--quiet']);
  assert.equal(got.code, 0, got.stderr);
  await ok;
  const refused = waitForLine(child, /^127\.0\.0\.1:\d+ - - \[[^\]]+\] "RRQ missing\.bin octet" error 0 \d+\.\d{3}s "file not found"$/);
  const missing = await tandem(['get', `tftp://127.0.0.1:${port}/missing.bin`, '-o', join(root, 'out'), '--quiet']);
  assert.equal(missing.code, 1);
  await refused;
});

test('serve --tftp --json: each request is a tftp-transfer event', async (t) => {
  const { child, root, port } = await serveTftp(t, ['--json']);
  const event = waitForLine(child, /"event":"tftp-transfer"/);
  const got = await tandem(['get', `tftp://127.0.0.1:${port}/a.bin`, '-o', join(root, 'out'), '--quiet']);
  assert.equal(got.code, 0, got.stderr);
  const e = JSON.parse((await event).input!);
  assert.deepEqual([e.direction, e.file, e.mode, e.outcome, e.bytes], ['read', 'a.bin', 'octet', 'ok', 3000]);
});
