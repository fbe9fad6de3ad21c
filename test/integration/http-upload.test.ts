// PUT uploads over loopback (src/http/upload.ts): a client that goes away mid-body is told apart from a failed write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HttpFileServer } from '../../src/http/index.js';
import { tempDir } from '../helpers/tmp.js';

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a client that goes away mid-upload leaves no file and no temporary file, is logged as 400, and the server goes on', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.txt'), 'alpha\n');
  const log: string[] = [];
  const accessLog = new PassThrough();
  accessLog.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)));
  const errors: unknown[] = [];
  const server = new HttpFileServer({ root, port: 0, uploadMaxBytes: 1_000_000, accessLog, onError: (e) => errors.push(e) });
  const { port } = await server.start();
  t.after(() => server.stop());

  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(`PUT /up.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
  await waitFor('the temporary file', async () => (await readdir(root)).some((n) => n.startsWith('.tandem-upload-')));
  socket.destroy();
  await waitFor('the log line', async () => log.length > 0);
  assert.deepEqual(await readdir(root), ['a.txt']);
  assert.match(log[0]!, /"PUT \/up\.bin HTTP\/1\.1" 400 - /);
  assert.deepEqual(errors, [], 'a client going away is not a server failure');

  const r = await fetch(`http://127.0.0.1:${port}/a.txt`);
  assert.equal(await r.text(), 'alpha\n');
});
