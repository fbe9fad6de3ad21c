// Malformed and hostile HTTP requests: at the handler (many thousands) and over real sockets (hundreds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { handleRequest, HttpFileServer } from '../../src/http/index.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET = 'TOP-SECRET-OUTSIDE';

async function tree(t: { after: (fn: () => Promise<void> | void) => void }): Promise<string> {
  const dir = await realpath(await tempDir(t));
  const root = join(dir, 'root');
  await mkdir(join(root, 'd'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'inside a');
  await writeFile(join(root, 'd', 'b.bin'), Buffer.alloc(3000, 9));
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(root, 'link'));
  return root;
}

const pathPieces = ['..', '.', '%2e', '%2E%2e', '%252e', '%5c', '\\', '%00', '%2f', '/', '//', 'a.txt', 'd', 'b.bin', 'link', 'secret.txt', '%', '%zz', '?', '#', ';', '~', '%c0%ae'];
const target = fc.array(fc.constantFrom(...pathPieces), { maxLength: 8 }).map((xs) => '/' + xs.join('/'));
const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('bytes=0-1', 'bytes=-5,0-', 'bytes=9999999999999999-', 'bytes=1-0', '"x"', '*', 'W/"a"', 'Basic Zm9vOmJhcg=='));

test('handler: any target and headers give a known status and never a byte from outside', async (t) => {
  const root = await tree(t);
  const known = new Set([200, 206, 301, 304, 400, 403, 404, 405, 409, 412, 413, 416]);
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'BREW'), target, fc.dictionary(fc.constantFrom('range', 'if-range', 'if-none-match', 'if-match', 'if-modified-since', 'accept', 'content-length'), headerValue), async (method, tgt, headers) => {
      const reply = await handleRequest({ method, target: tgt, headers }, { realRoot: root, uploadMaxBytes: 100 });
      if ('kind' in reply) {
        assert.ok(reply.finalPath.startsWith(root + '/'), reply.finalPath);
        return;
      }
      assert.ok(reply.status === 204 || known.has(reply.status), `${method} ${tgt} -> ${reply.status}`);
      if (reply.body.kind === 'file' || reply.body.kind === 'multipart') assert.ok(reply.body.path.startsWith(root + '/'), reply.body.path);
      if (reply.body.kind === 'bytes') assert.ok(!reply.body.data.toString().includes(SECRET));
    }),
    { numRuns: 3000 },
  );
});

/** Sends raw bytes and collects the answer until the server closes, goes quiet for 100 ms, or 600 ms pass. */
function rawExchange(port: number, request: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(), 600);
    let quiet: NodeJS.Timeout | undefined;
    socket.on('data', (d) => {
      chunks.push(d);
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.destroy(), 100);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(quiet);
      resolve(Buffer.concat(chunks));
    });
  });
}

test('socket: mutated raw requests get an HTTP answer or a closed connection, the server stays up', async (t) => {
  const root = await tree(t);
  const errors: unknown[] = [];
  const server = new HttpFileServer({ root, port: 0, onError: (e) => errors.push(e) });
  const { port } = await server.start();
  t.after(() => server.stop());
  const seeds = [
    'GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-2,4-\r\n\r\n',
    'HEAD /d/ HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n',
    'GET /../secret.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: "a", W/"b"\r\n\r\n',
    'PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
    'GET /d/b.bin HTTP/1.0\r\nIf-Range: Sat, 01 Jan 2000 00:00:00 GMT\r\nRange: bytes=-100\r\n\r\n',
  ].map((s) => Buffer.from(s, 'latin1'));
  const samples = fc.sample(
    fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), fc.uint8Array({ maxLength: 30 })),
    { numRuns: 400, seed: 7 },
  );
  let answered = 0;
  for (let i = 0; i < samples.length; i += 50) {
    const batch = samples.slice(i, i + 50).map(([seed, flips, cut, tail]) => {
      const b = Buffer.from(seed);
      for (const [pos, val] of flips) b[pos % b.length] = val;
      return rawExchange(port, Buffer.concat([b.subarray(0, cut % (b.length + 1)), Buffer.from(tail)]));
    });
    for (const answer of await Promise.all(batch)) {
      const text = answer.toString('latin1');
      assert.ok(text === '' || /^HTTP\/1\.[01] \d{3} /.test(text), text.slice(0, 80));
      if (text !== '') answered++;
      assert.ok(!text.includes(SECRET));
    }
  }
  assert.ok(answered > samples.length / 2, `only ${answered} answers`);
  const ok = (await rawExchange(port, Buffer.from('GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))).toString();
  assert.match(ok, /^HTTP\/1\.1 200 OK/);
  assert.ok(ok.endsWith('inside a'));
  assert.deepEqual(errors, []);
});
