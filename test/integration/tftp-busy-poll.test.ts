// Busy-polling on a real loopback transfer: with the default window the loop polls while blocks fly, with 0 it never
// does, and the bytes are exact either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TftpServer, tftpGet } from '../../src/tftp/index.js';
import { loopSpinner } from '../../src/util/loop-spinner.js';
import { tempDir } from '../helpers/tmp.js';

async function transfer(t: { after: (fn: () => Promise<void> | void) => void }, busyPollMicros: number | undefined): Promise<{ exact: boolean; sawPolling: boolean }> {
  const root = await tempDir(t);
  const data = randomBytes(2 * 1024 * 1024 + 77);
  await writeFile(join(root, 'f.bin'), data);
  const server = new TftpServer({ root, port: 0, busyPollMicros });
  const { port } = await server.start();
  t.after(() => server.stop());
  // The spinner is one per process: let polling asked for by an earlier test run out first.
  for (let i = 0; i < 100 && loopSpinner.isPolling; i++) await new Promise((r) => setTimeout(r, 10));
  let sawPolling = false;
  const outPath = join(root, 'copy.bin');
  await tftpGet({ host: '127.0.0.1', port, file: 'f.bin', outPath, blockSizeBytes: 1428, busyPollMicros, onProgress: () => (sawPolling ||= loopSpinner.isPolling) });
  return { exact: (await readFile(outPath)).equals(data), sawPolling };
}

test('busy-polling: on loopback, a lock-step transfer keeps the loop polling, and the file is exact', async (t) => {
  // A 50 ms window rather than the default 200 µs: replies on a loaded CI machine still fit, so the test is stable.
  const r = await transfer(t, 50_000);
  assert.equal(r.exact, true);
  assert.equal(r.sawPolling, true);
});

test('busy-polling off (0 µs) on both ends: the loop never polls, and the file is exact', async (t) => {
  const r = await transfer(t, 0);
  assert.equal(r.exact, true);
  assert.equal(r.sawPolling, false);
});
