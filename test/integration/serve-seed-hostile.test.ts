// `tandem get http://` against origins whose Link header lies: a torrent too large, garbage, a torrent of another
// file (name or length), a redirect loop. Each time the client says why on stderr and downloads over HTTP only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTorrent } from '../../src/metainfo/index.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const LINK = (target: string): string => `<${target}>; rel="describedby"; type="application/x-bittorrent"`;

test('get http:// falls back to plain HTTP when the linked torrent is hostile or does not describe the file', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(300_000);
  await writeFile(join(dir, 'other.bin'), randomBytes(300_000));
  await writeFile(join(dir, 'data.bin'), data.subarray(0, 299_999));
  const otherName = (await createTorrent(join(dir, 'other.bin'), { workers: 0 })).bytes;
  const shortLength = (await createTorrent(join(dir, 'data.bin'), { workers: 0 })).bytes;
  const fileGets: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/files/')) {
      if (req.method === 'GET') fileGets.push(path);
      res.writeHead(200, { 'content-length': data.length, link: LINK(`/t/${path.split('/')[2]}`) });
      return void res.end(req.method === 'HEAD' ? undefined : data);
    }
    if (path === '/t/huge') {
      // No Content-Length: the client must stop reading at its cap, not buffer 5 MiB.
      res.writeHead(200, { 'content-type': 'application/x-bittorrent' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const more = (): void => {
        while (sent < 5 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      return more();
    }
    if (path === '/t/garbage') return void res.end(Buffer.from('d8:announce'));
    if (path === '/t/other') return void res.end(otherName); // a torrent of other.bin behind data.bin's Link
    if (path === '/t/short') return void res.end(shortLength); // right name, one byte short
    if (path === '/t/loop') {
      res.writeHead(302, { location: '/t/loop' });
      return void res.end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const cases: [route: string, why: RegExp][] = [
    ['huge', /longer than/],
    ['garbage', /cannot use the torrent/],
    ['other', /named "other\.bin", not "data\.bin"/],
    ['short', /299999 bytes, the URL 300000/],
    ['loop', /redirects/],
  ];
  for (const [route, why] of cases) {
    const out = join(dir, `out-${route}`);
    const r = await tandem(['get', `${base}/files/${route}/data.bin`, '-o', out, '--no-dht'], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${route}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /joining the swarm/, route);
    assert.equal(sha256(await readFile(join(out, 'data.bin'))), sha256(data), route);
    if (route === 'other' || route === 'short') assert.match(r.stderr, /does not describe/, route);
    assert.match(r.stderr, why, `${route}: ${r.stderr}`);
  }
  assert.equal(fileGets.length, cases.length, 'each case downloaded the file plainly, once');
});
