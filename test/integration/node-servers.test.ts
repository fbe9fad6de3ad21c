import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import type { ServerInfo } from '../../src/node/index.js';

test('the daemon runs HTTP, TFTP, FTP and a tracker on one served folder; the API lists, stops and starts them; /metrics counts them', async (t) => {
  const dir = await tempDir(t);
  const pub = join(dir, 'pub');
  await mkdir(pub);
  await writeFile(join(pub, 'hello.txt'), 'hello from the node\n');
  const [http, tftp, ftp, tracker] = [await freeTcpPort(), await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
  const d = await startDaemon(t, join(dir, 'state'), ['--serve-dir', pub, '--http', `127.0.0.1:${http}`, '--tftp', `127.0.0.1:${tftp}`, '--ftp', `127.0.0.1:${ftp}`, '--tracker-http', `127.0.0.1:${tracker}`]);

  const servers = await d.rpc<ServerInfo[]>('server.list');
  assert.deepEqual(servers.map((s) => s.kind).sort(), ['ftp', 'http', 'tftp', 'tracker-http']);
  assert.equal((await (await fetch(`http://127.0.0.1:${http}/hello.txt`)).text()), 'hello from the node\n');
  const out = join(dir, 'got');
  for (const url of [`tftp://127.0.0.1:${tftp}/hello.txt`, `ftp://127.0.0.1:${ftp}/hello.txt`]) {
    const r = await tandem(['get', url, '-o', out, '--quiet'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `${url}: ${r.stderr}`);
    assert.equal(await readFile(join(out, 'hello.txt'), 'utf8'), 'hello from the node\n');
  }
  const announce = await fetch(`http://127.0.0.1:${tracker}/announce?info_hash=${'%aa'.repeat(20)}&peer_id=${'-TT0001-'.padEnd(20, 'x')}&port=6881&uploaded=0&downloaded=0&left=0&compact=1`);
  assert.match(Buffer.from(await announce.arrayBuffer()).toString('latin1'), /^d.*8:intervali/);

  const listed = await d.rpc<ServerInfo[]>('server.list');
  const httpInfo = listed.find((s) => s.kind === 'http')!;
  assert.ok(httpInfo.requests >= 1);
  assert.ok(httpInfo.bytesSent >= 20);
  assert.ok((await d.rpc<string[]>('server.log', { kind: 'http' })).some((line) => line.includes('"GET /hello.txt HTTP/1.1" 200')));
  const metrics = await (await fetch(`${d.url}metrics`)).text();
  assert.match(metrics, /^tandem_server_requests_total\{kind="http"\} [1-9]/m);
  assert.match(metrics, /^tandem_sent_bytes_total\{source="ftp"\} [1-9]/m);

  const stopped = await d.rpc<ServerInfo>('server.stop', { kind: 'http' });
  assert.equal(stopped.running, false);
  await assert.rejects(fetch(`http://127.0.0.1:${http}/hello.txt`));
  const again = await d.rpc<ServerInfo>('server.start', { kind: 'http', address: '127.0.0.1:0' });
  assert.equal((await (await fetch(`http://${again.address}/hello.txt`)).text()), 'hello from the node\n');
  await assert.rejects(d.rpc('server.start', { kind: 'http', address: '127.0.0.1:0' }), /already running/);
});
