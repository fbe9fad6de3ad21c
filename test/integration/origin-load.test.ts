// The point of `serve --seed`: a crowd downloading one file from an upload-limited origin is served mostly by
// itself. One server and eight `tandem get http://` clients started together on loopback; every copy must be
// correct and the server's own account of what it sent (HTTP bodies plus peer uploads) far below eight copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, tandem, TANDEM_BIN, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const CLIENTS = 8;
const FILE_BYTES = 8 * 1024 * 1024;
/** The origin's whole upload: one copy takes it 8 s, so eight plain downloads would take over a minute. */
const UPLOAD_LIMIT = '1MiB';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test(`origin load: ${CLIENTS} clients of one seeded file; the upload-limited server sends far less than ${CLIENTS} copies`, { timeout: 150_000 }, async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = randomBytes(FILE_BYTES);
  await writeFile(join(root, 'origin.bin'), data);
  const server = startProcess(t, process.execPath, [
    TANDEM_BIN, 'serve', root, '--http', '127.0.0.1:0', '--seed', '--seed-cache', join(dir, 'cache'),
    '--upload-limit', UPLOAD_LIMIT, '--access-log', join(dir, 'access.log'), '--json',
  ]);
  let stdout = '';
  server.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const base = JSON.parse((await waitForLine(server, /^(\{.*"event":"listening".*\})$/))[1]!).url as string;
  const url = base + 'origin.bin';
  const deadline = Date.now() + 30_000;
  while ((await fetch(url, { method: 'HEAD' })).headers.get('link') === null) {
    assert.ok(Date.now() < deadline, 'the torrent was never offered');
    await new Promise((r) => setTimeout(r, 100));
  }

  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => tandem(['get', url, '-o', join(dir, `client${i}`), '--no-dht', '--json'], { timeoutMs: 120_000 })),
  );
  const seconds = (Date.now() - started) / 1000;
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 0, `client ${i}: ${r.stderr}`);
    assert.match(r.stdout, /"event":"swarm"/, `client ${i} joined the swarm`);
    assert.equal(sha256(await readFile(join(dir, `client${i}`, 'origin.bin'))), sha256(data), `client ${i}'s copy`);
  }

  server.kill('SIGTERM');
  if (server.exitCode === null) await once(server, 'exit');
  const sentLine = stdout.split('\n').find((l) => l.includes('"event":"sent"'));
  assert.ok(sentLine, `the server printed what it sent at exit; saw:\n${stdout}`);
  const sent = JSON.parse(sentLine) as { httpBodyBytes: number; peerBytes: number; totalBytes: number };
  const copies = sent.totalBytes / FILE_BYTES;
  t.diagnostic(`${CLIENTS} clients in ${seconds.toFixed(1)} s; the server sent ${sent.totalBytes} bytes = ${copies.toFixed(2)} copies (HTTP ${sent.httpBodyBytes}, peers ${sent.peerBytes})`);
  assert.ok(sent.totalBytes >= FILE_BYTES, 'at least one copy had to leave the origin');
  assert.ok(copies < 3, `the server sent ${copies.toFixed(2)} copies`);
});
