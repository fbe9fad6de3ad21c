// The file server's fast path on raw sockets (src/http/h1-connection.ts), over loopback: pipelining, keep-alive and
// close, the hand-off of uploads to node:http on a connection already used, refusals, timeouts and stop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HttpFileServer, type HttpServerOptions } from '../../src/http/index.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A raw client: everything the server sends is kept, and complete responses are read off the front. */
class RawClient {
  private data = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly socket: Socket;
  readonly done: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.wake();
    });
    this.socket.on('error', () => undefined);
    this.done = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits (bounded) until `ready()` holds, checked on every arrival of bytes or the close. */
  private async until(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.closed) throw new Error(`connection closed before ${what}; had ${JSON.stringify(this.data.toString('latin1').slice(0, 200))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next response; `headOnly` for the answer to a HEAD (its Content-Length announces no body here). */
  async response(headOnly = false): Promise<Parsed> {
    let parsed: Parsed | undefined;
    await this.until(() => (parsed = this.take(headOnly)) !== undefined, 'complete response');
    return parsed!;
  }

  private take(headOnly: boolean): Parsed | undefined {
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const lines = this.data.toString('latin1', 0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
    const status = Number(lines[0]!.split(' ')[1]);
    const length = headOnly || status === 304 || status === 204 || status === 100 ? 0 : Number(headers['content-length'] ?? 0);
    if (this.data.length < end + 4 + length) return undefined;
    const body = this.data.subarray(end + 4, end + 4 + length);
    this.data = this.data.subarray(end + 4 + length);
    return { status, headers, body };
  }

  /** Resolves once the server has closed the connection, with whatever it sent that was not read as a response. */
  async closedByServer(timeoutMs = 10_000): Promise<string> {
    await this.until(() => this.closed, 'close by the server', timeoutMs);
    return this.data.toString('latin1');
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

async function startServer(t: { after: (fn: () => Promise<void> | void) => void }, extra: Partial<HttpServerOptions> = {}): Promise<{ root: string; port: number; server: HttpFileServer; log: string[] }> {
  const root = await tempDir(t);
  await writeFile(join(root, 'a.txt'), 'alpha\n');
  await writeFile(join(root, 'b.txt'), 'bravo bravo\n');
  await writeFile(join(root, 'big.bin'), patternBytes(3 * 1024 * 1024 + 17, 5));
  const log: string[] = [];
  const accessLog = new PassThrough();
  accessLog.on('data', (d: Buffer) => log.push(...d.toString().split('\n').filter(Boolean)));
  const errors: unknown[] = [];
  const server = new HttpFileServer({ root, port: 0, accessLog, onError: (e) => errors.push(e), ...extra });
  const { port } = await server.start();
  t.after(async () => {
    await server.stop();
    assert.deepEqual(errors, []);
  });
  return { root, port, server, log };
}

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

test('pipelining: requests sent in one write are answered in order, a large body in the middle included', async (t) => {
  const { port, root, server, log } = await startServer(t);
  const c = new RawClient(port);
  t.after(() => c.destroy());
  c.send(get('/a.txt') + get('/big.bin') + `HEAD /b.txt HTTP/1.1\r\nHost: x\r\n\r\n` + get('/missing') + get('/b.txt', 'Range: bytes=0-4\r\n'));
  const a = await c.response();
  assert.deepEqual([a.status, a.body.toString()], [200, 'alpha\n']);
  const big = await c.response();
  assert.equal(big.status, 200);
  assert.ok(big.body.equals(await readFile(join(root, 'big.bin'))));
  const head = await c.response(true);
  assert.deepEqual([head.status, head.headers['content-length']], [200, '12']);
  const missing = await c.response();
  assert.equal(missing.status, 404);
  const range = await c.response();
  assert.deepEqual([range.status, range.body.toString(), range.headers['content-range']], [206, 'bravo', 'bytes 0-4/12']);
  assert.equal(range.headers['connection'], 'keep-alive');
  assert.equal(server.bodyBytesSent, a.body.length + big.body.length + missing.body.length + range.body.length);
  // One Combined Log Format line per request, in order, with the body bytes sent: none for a HEAD, whatever its
  // Content-Length announced (node:http's adapter logs the same, see test/interop/http-tls.test.ts).
  assert.deepEqual(log.map((l) => / "(\w+ \S+) HTTP\/1\.1" (\d+) (\S+) /.exec(l)!.slice(1).join(' ')), [
    'GET /a.txt 200 6',
    `GET /big.bin 200 ${big.body.length}`,
    'HEAD /b.txt 200 -',
    `GET /missing 404 ${missing.body.length}`,
    'GET /b.txt 206 5',
  ]);
  assert.match(log[0]!, /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/a\.txt HTTP\/1\.1" 200 6 "-" "-"$/);
});

test('keep-alive: HTTP/1.1 persists, Connection: close and plain HTTP/1.0 close, HTTP/1.0 keep-alive persists', async (t) => {
  const { port } = await startServer(t);
  const persistent = new RawClient(port);
  t.after(() => persistent.destroy());
  for (let i = 0; i < 3; i++) {
    persistent.send(get('/a.txt'));
    assert.equal((await persistent.response()).headers['connection'], 'keep-alive');
  }
  assert.equal(persistent.closed, false);

  const closing = new RawClient(port);
  closing.send(get('/a.txt', 'Connection: close\r\n') + get('/b.txt'));
  const r = await closing.response();
  assert.deepEqual([r.status, r.headers['connection'], r.body.toString()], [200, 'close', 'alpha\n']);
  assert.equal(await closing.closedByServer(), '', 'nothing is answered after Connection: close');

  const old = new RawClient(port);
  old.send('GET /b.txt HTTP/1.0\r\n\r\n');
  assert.equal((await old.response()).headers['connection'], 'close');
  await old.closedByServer();

  const oldKeep = new RawClient(port);
  t.after(() => oldKeep.destroy());
  oldKeep.send('GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  assert.equal((await oldKeep.response()).headers['connection'], 'keep-alive');
  oldKeep.send('HEAD /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  assert.equal((await oldKeep.response(true)).status, 200);

  // A client that half-closes right after pipelining still gets every answer, then the server closes too.
  const halfClosed = new RawClient(port);
  halfClosed.socket.end(get('/a.txt') + get('/b.txt'));
  assert.equal((await halfClosed.response()).body.toString(), 'alpha\n');
  assert.equal((await halfClosed.response()).body.toString(), 'bravo bravo\n');
  assert.equal(await halfClosed.closedByServer(), '');
});

test('hand-off: after GETs on the fast path, a PUT upload on the same connection goes to node:http and works', async (t) => {
  const { port, root, log } = await startServer(t, { uploadMaxBytes: 4 * 1024 * 1024 });
  const c = new RawClient(port);
  t.after(() => c.destroy());
  c.send(get('/a.txt'));
  assert.equal((await c.response()).status, 200);
  // The upload, and a GET pipelined behind it in the same write: node:http answers both, in order.
  c.send('PUT /up.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello there' + get('/b.txt'));
  assert.equal((await c.response()).status, 201);
  assert.equal((await c.response()).body.toString(), 'bravo bravo\n');
  c.send(get('/up.txt'));
  const after = await c.response();
  assert.deepEqual([after.status, after.body.toString()], [200, 'hello there']);
  assert.equal(await readFile(join(root, 'up.txt'), 'utf8'), 'hello there');
  // Expect: 100-continue is node:http's too: the client waits for the interim answer before sending.
  c.send('PUT /up2.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
  assert.equal((await c.response()).status, 100);
  c.send('abc');
  assert.equal((await c.response()).status, 201);
  assert.equal(await readFile(join(root, 'up2.txt'), 'utf8'), 'abc');
  // A body of many reads: its first bytes come in the write with the head (given back to node:http), the rest later.
  const large = patternBytes(3 * 1024 * 1024 + 5, 9);
  c.send(Buffer.concat([Buffer.from(`PUT /large.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${large.length}\r\n\r\n`), large.subarray(0, 1000)]));
  c.send(large.subarray(1000));
  assert.equal((await c.response()).status, 201);
  assert.ok((await readFile(join(root, 'large.bin'))).equals(large));
  assert.deepEqual(log.map((l) => / "(\w+ \S+) HTTP\/1\.1" (\d+) /.exec(l)!.slice(1).join(' ')), ['GET /a.txt 200', 'PUT /up.txt 201', 'GET /b.txt 200', 'GET /up.txt 200', 'PUT /up2.txt 201', 'PUT /large.bin 201']);

  // Without --upload a PUT is still refused by node:http with 405 and the methods allowed.
  const { port: plain } = await startServer(t);
  const refused = new RawClient(plain);
  t.after(() => refused.destroy());
  refused.send(get('/a.txt') + 'PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi');
  assert.equal((await refused.response()).status, 200);
  const r = await refused.response();
  assert.deepEqual([r.status, r.headers['allow']], [405, 'GET, HEAD, OPTIONS']);
});

test('refusals: an oversize head gets 431, a malformed one 400, HTTP/2 505, each then closed and logged', async (t) => {
  const { port, log } = await startServer(t);
  // The request, its answer, and its access-log request field: the request line as it arrived, escaped.
  const cases: [string, number, string][] = [
    [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, `GET /${'a'.repeat(2043)}`],
    [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}`, 431, 'GET / HTTP/1.1'], // never ends: refused once past the limit
    ['GET / HTTP/1.1\r\nHost: x\r\n' + 'X-A: 1\r\n'.repeat(150) + '\r\n', 431, 'GET / HTTP/1.1'],
    ['GET / HTTP/1.1\r\nBad Header: x\r\n\r\n', 400, 'GET / HTTP/1.1'],
    ['GET / HTTP/1.1\r\n\r\n', 400, 'GET / HTTP/1.1'],
    ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505, 'GET / HTTP/2.0'],
    ['GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'GET /a b c HTTP/1.1'],
    ['BAD METHOD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD METHOD /a.txt HTTP/1.1'],
    ['GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Ctl: a\x01b\r\n\r\n', 400, 'GET /a.txt HTTP/1.1'],
    ['GET /x\ry" 200 1 "-" "-"\x85 HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'GET /x\\x0dy\\" 200 1 \\"-\\" \\"-\\"\\x85 HTTP/1.1'],
  ];
  for (const [text, status] of cases) {
    const c = new RawClient(port);
    c.send(Buffer.from(text, 'latin1'));
    const answer = await c.closedByServer();
    assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} [^\\r]+\\r\\nConnection: close\\r\\n\\r\\n$`), text.slice(0, 40));
  }
  assert.deepEqual(
    log.map((l) => / "(.*)" (\d+) (\S+) "-" "-"$/.exec(l)!.slice(1)),
    cases.map(([, status, request]) => [request, String(status), '-']),
  );
  assert.match(log[0]!, /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/a/);
});

test('timeouts: a head sent too slowly gets 408, is logged and closed; an idle keep-alive connection is closed', async (t) => {
  const { port, log } = await startServer(t, { limits: { headersTimeoutMs: 400, keepAliveTimeoutMs: 300 } });
  const slow = new RawClient(port);
  t.after(() => slow.destroy());
  slow.send('GET /a.txt HTTP/1.1\r\n');
  // A byte now and then does not keep a head alive: the time counts from its first byte (slowloris).
  const drip = setInterval(() => slow.send('X'), 100);
  t.after(() => clearInterval(drip));
  assert.match(await slow.closedByServer(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  clearInterval(drip);
  assert.match(log[0]!, / "GET \/a\.txt HTTP\/1\.1" 408 - "-" "-"$/);

  const idle = new RawClient(port);
  t.after(() => idle.destroy());
  idle.send(get('/a.txt'));
  assert.equal((await idle.response()).status, 200);
  assert.equal(await idle.closedByServer(), '');
});

test('stop(): idle keep-alive connections are closed at once, and stop resolves', async (t) => {
  const { port, server } = await startServer(t);
  const c = new RawClient(port);
  t.after(() => c.destroy());
  c.send(get('/a.txt'));
  await c.response();
  await server.stop();
  await c.closedByServer();
});

test('a small file rewritten between two requests on one connection is served as it is now', async (t) => {
  const { port, root } = await startServer(t);
  const c = new RawClient(port);
  t.after(() => c.destroy());
  c.send(get('/a.txt'));
  assert.equal((await c.response()).body.toString(), 'alpha\n');
  // Same size, new bytes and a new modification time: the cached bytes and the head joined to them are stale.
  await writeFile(join(root, 'a.txt'), 'omega\n');
  await utimes(join(root, 'a.txt'), 1_700_000_000, 1_700_000_000);
  c.send(get('/a.txt'));
  const r = await c.response();
  assert.deepEqual([r.body.toString(), r.headers['last-modified']], ['omega\n', 'Tue, 14 Nov 2023 22:13:20 GMT']);
});

test('a failing route answers 500 on the fast path, reports the error, and the connection goes on', async (t) => {
  const errors: unknown[] = [];
  const root = await tempDir(t);
  await writeFile(join(root, 'a.txt'), 'alpha\n');
  const server = new HttpFileServer({
    root,
    port: 0,
    onError: (e) => errors.push(e),
    preRoute: async (req) => {
      if (req.target === '/boom') throw new Error('route failed');
      return undefined;
    },
  });
  const { port } = await server.start();
  t.after(() => server.stop());
  const c = new RawClient(port);
  t.after(() => c.destroy());
  c.send(get('/boom') + get('/a.txt'));
  assert.equal((await c.response()).status, 500);
  assert.equal((await c.response()).body.toString(), 'alpha\n');
  assert.deepEqual(errors.map((e) => (e as Error).message), ['route failed']);
});
