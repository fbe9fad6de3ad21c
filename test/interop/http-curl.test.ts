// Every HTTP behaviour of `tandem serve --http`, driven by curl against the real CLI on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, symlink, writeFile, mkdtemp, rm, utimes, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { requireProgram } from '../helpers/programs.js';
import { run, startProcess, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { sharedTempDir, unprivilegedUser } from '../helpers/unprivileged.js';

const CURL = requireProgram('curl', 'curl');
let dir: string;
let root: string;
let base: string;
let authBase: string;
let logFile: string;
const children: ChildProcess[] = [];
const payload = randomBytes(100_000);

async function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const m = await waitForLine(child, /http: serving .* at (\S+)/);
  return m[1]!;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-http-'));
  root = join(dir, 'root');
  await mkdir(join(root, 'sub dir'), { recursive: true });
  await writeFile(join(root, 'data.bin'), payload);
  await writeFile(join(root, 'hello.txt'), 'hello world\n');
  await writeFile(join(root, 'page.html'), '<p>hi</p>');
  await writeFile(join(root, 'sub dir', 'inner.json'), '{}');
  await writeFile(join(dir, 'secret.txt'), 'outside');
  await symlink(join(dir, 'secret.txt'), join(root, 'escape'));
  await symlink(dir, join(root, 'escape-dir'));
  await symlink('hello.txt', join(root, 'alias.txt'));
  await utimes(join(root, 'hello.txt'), 1_600_000_000, 1_600_000_000);
  logFile = join(dir, 'access.log');
  base = await serve(['--upload', '--upload-max', '1000', '--access-log', logFile]);
  authBase = await serve(['--auth', 'alice:s3cr:et']);
});

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await rm(dir, { recursive: true, force: true });
});

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Runs curl, returning the status, the last response's headers (lower-case names) and the body bytes. */
async function curl(args: string[]): Promise<CurlResult> {
  const out = join(dir, `body-${randomBytes(4).toString('hex')}`);
  const hdr = out + '.h';
  const r = await run(CURL, ['-s', '-S', '--path-as-is', '-o', out, '-D', hdr, '-w', '%{http_code}', ...args], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  const rawHeaders = await readFile(hdr, 'latin1');
  const blocks = rawHeaders.trim().split(/\r\n\r\n/);
  const headers: Record<string, string> = {};
  for (const line of blocks.at(-1)!.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = await readFile(out).catch(() => Buffer.alloc(0));
  return { status: Number(r.stdout), headers, body };
}

test('GET a file: body, content type, length, validators', async () => {
  const r = await curl([base + 'data.bin']);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, payload);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.equal(r.headers['content-length'], '100000');
  assert.equal(r.headers['accept-ranges'], 'bytes');
  assert.match(r.headers['etag']!, /^"[0-9a-f]+-[0-9a-f]+"$/);
  const t = await curl([base + 'hello.txt']);
  assert.equal(t.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(t.headers['last-modified'], new Date(1_600_000_000_000).toUTCString());
  assert.equal((await curl([base + 'page.html'])).headers['content-type'], 'text/html; charset=utf-8');
  assert.equal((await curl([base + 'sub%20dir/inner.json'])).headers['content-type'], 'application/json');
});

test('HEAD: same headers, no body', async () => {
  const r = await run(CURL, ['-s', '-I', '-w', '%{http_code} %{size_download}', base + 'data.bin']);
  assert.match(r.stdout, /^HTTP\/1.1 200 OK\r\n/);
  assert.match(r.stdout, /content-length: 100000\r\n/i);
  assert.ok(r.stdout.endsWith('\r\n\r\n200 0'), r.stdout); // headers, then no body at all
});

test('single range: 206 with exact bytes and Content-Range', async () => {
  const r = await curl(['-r', '100-199', base + 'data.bin']);
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], 'bytes 100-199/100000');
  assert.deepEqual(r.body, payload.subarray(100, 200));
  const suffix = await curl(['-r', '-10', base + 'data.bin']);
  assert.deepEqual(suffix.body, payload.subarray(99_990));
  const open = await curl(['-r', '99999-', base + 'data.bin']);
  assert.deepEqual(open.body, payload.subarray(99_999));
});

test('multiple ranges: multipart/byteranges with each part exact', async () => {
  const r = await curl(['-r', '0-9,500-519', base + 'data.bin']);
  assert.equal(r.status, 206);
  const m = /^multipart\/byteranges; boundary=(\S+)$/.exec(r.headers['content-type']!);
  assert.ok(m, r.headers['content-type']);
  assert.equal(Number(r.headers['content-length']), r.body.length);
  const text = r.body.toString('latin1');
  const parts = text.split(`--${m[1]}`).slice(1, -1);
  assert.equal(parts.length, 2);
  const expected = [payload.subarray(0, 10), payload.subarray(500, 520)];
  const ranges = ['bytes 0-9/100000', 'bytes 500-519/100000'];
  parts.forEach((p, i) => {
    const [head, ...rest] = p.split('\r\n\r\n');
    assert.match(head!, new RegExp(`Content-Range: ${ranges[i]}`));
    assert.deepEqual(Buffer.from(rest.join('\r\n\r\n').replace(/\r\n$/, ''), 'latin1'), expected[i]);
  });
  assert.ok(text.endsWith(`--${m[1]}--\r\n`));
});

test('416 for an unsatisfiable range, with Content-Range */size', async () => {
  const r = await curl(['-r', '200000-300000', base + 'data.bin']);
  assert.equal(r.status, 416);
  assert.equal(r.headers['content-range'], 'bytes */100000');
});

test('conditional requests: If-None-Match and If-Modified-Since give 304, If-Range decides ranges', async () => {
  const first = await curl([base + 'hello.txt']);
  const etag = first.headers['etag']!;
  const lm = first.headers['last-modified']!;
  const inm = await curl(['-H', `If-None-Match: ${etag}`, base + 'hello.txt']);
  assert.equal(inm.status, 304);
  assert.equal(inm.body.length, 0);
  assert.equal(inm.headers['etag'], etag);
  assert.equal((await curl(['-H', 'If-None-Match: "nope"', base + 'hello.txt'])).status, 200);
  assert.equal((await curl(['-H', `If-Modified-Since: ${lm}`, base + 'hello.txt'])).status, 304);
  assert.equal((await curl(['-H', `If-Modified-Since: ${new Date(1_500_000_000_000).toUTCString()}`, base + 'hello.txt'])).status, 200);
  const rangeOk = await curl(['-r', '0-4', '-H', `If-Range: ${etag}`, base + 'hello.txt']);
  assert.equal(rangeOk.status, 206);
  assert.equal(rangeOk.body.toString(), 'hello');
  const rangeStale = await curl(['-r', '0-4', '-H', 'If-Range: "old"', base + 'hello.txt']);
  assert.equal(rangeStale.status, 200);
  assert.equal(rangeStale.body.toString(), 'hello world\n');
  assert.equal((await curl(['-H', 'If-Match: "nope"', base + 'hello.txt'])).status, 412);
});

test('conditional requests with dates: only an HTTP-date counts (RFC 9110 §13.1.3), and If-Range takes a date too', async () => {
  const lm = (await curl([base + 'hello.txt'])).headers['last-modified']!; // Sun, 13 Sep 2020 12:26:40 GMT
  // What Date.parse reads as a date far in the future is no HTTP-date: the condition is ignored, the file sent.
  for (const notADate of ['3000', '12/31/2099', '2099-12-31T00:00:00Z', 'Thu, 31 Dec 2099 00:00:00 UTC']) {
    const r = await curl(['-H', `If-Modified-Since: ${notADate}`, base + 'hello.txt']);
    assert.deepEqual([r.status, r.body.toString()], [200, 'hello world\n'], notADate);
    assert.equal((await curl(['-H', `If-Unmodified-Since: ${notADate}`, base + 'hello.txt'])).status, 200, notADate);
  }
  // The obsolete forms a recipient must accept (§5.6.7) work as the IMF-fixdate does.
  assert.equal((await curl(['-H', 'If-Modified-Since: Sunday, 13-Sep-20 12:26:40 GMT', base + 'hello.txt'])).status, 304);
  assert.equal((await curl(['-H', 'If-Modified-Since: Sun Sep 13 12:26:40 2020', base + 'hello.txt'])).status, 304);
  assert.equal((await curl(['-H', 'If-Unmodified-Since: Sun Sep 13 12:26:39 2020', base + 'hello.txt'])).status, 412);
  // If-Range with a date (§13.1.5): the range only while the date is the file's Last-Modified, else the whole file.
  const same = await curl(['-r', '0-4', '-H', `If-Range: ${lm}`, base + 'hello.txt']);
  assert.deepEqual([same.status, same.body.toString(), same.headers['content-range']], [206, 'hello', 'bytes 0-4/12']);
  const asctime = await curl(['-r', '6-10', '-H', 'If-Range: Sun Sep 13 12:26:40 2020', base + 'hello.txt']);
  assert.deepEqual([asctime.status, asctime.body.toString()], [206, 'world']);
  for (const other of ['Sun, 13 Sep 2020 12:26:41 GMT', new Date(1_500_000_000_000).toUTCString(), '3000']) {
    const r = await curl(['-r', '0-4', '-H', `If-Range: ${other}`, base + 'hello.txt']);
    assert.deepEqual([r.status, r.body.toString()], [200, 'hello world\n'], other);
  }
});

test('keep-alive: several requests share one connection', async () => {
  const r = await run(CURL, ['-s', '-v', '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', base + 'hello.txt', base + 'data.bin', base + 'hello.txt'], { timeoutMs: 20_000 });
  assert.equal(r.code, 0);
  assert.equal((r.stderr.match(/Re-using existing connection|Reusing existing/g) ?? []).length, 2, r.stderr);
});

test('404, 405 and 403 with readable pages', async () => {
  const missing = await curl([base + 'nope.txt']);
  assert.equal(missing.status, 404);
  assert.match(missing.body.toString(), /<title>404 Not Found<\/title>/);
  const del = await curl(['-X', 'DELETE', base + 'hello.txt']);
  assert.equal(del.status, 405);
  assert.match(del.headers['allow']!, /GET, HEAD/);
  assert.match(del.body.toString(), /405 Method Not Allowed/);
  const json404 = await curl(['-H', 'Accept: application/json', base + 'nope']);
  assert.deepEqual(JSON.parse(json404.body.toString()), { error: { status: 404, message: 'Not Found' } });
  const outside = await curl([base + 'escape']); // a symlink out of the root
  assert.equal(outside.status, 403);
  assert.equal(outside.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(outside.body.toString(), /<title>403 Forbidden<\/title>.*You may not access this path.*<code>\/escape<\/code>/s);
  assert.ok(!outside.body.toString().includes('outside'));
});

test('files and folders the server may not read get the readable 403 page, never a 200 head and a cut body', async (t) => {
  // Root reads files whatever their mode, so this server runs as an unprivileged user (see helpers/unprivileged.ts).
  const top = await sharedTempDir(t);
  await writeFile(join(top, 'ok.txt'), 'readable');
  await writeFile(join(top, 'small.txt'), 'small and private');
  await writeFile(join(top, 'big.bin'), payload); // past the small-file cache: streamed from an open file
  await writeFile(join(top, 'cached.txt'), 'served once');
  await mkdir(join(top, 'locked'));
  await writeFile(join(top, 'locked', 'inner.txt'), 'x');
  for (const name of ['small.txt', 'big.bin', 'locked']) await chmod(join(top, name), 0o000);
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', top, '--http', '127.0.0.1:0'], unprivilegedUser());
  const url = (await waitForLine(child, /at (http:\/\/\S+)/))[1]!;
  assert.equal((await curl([url + 'ok.txt'])).body.toString(), 'readable');
  const forbidden = async (args: string[]): Promise<void> => {
    const r = await curl(args);
    assert.equal(r.status, 403, args.join(' '));
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    if (!args.includes('-I')) assert.match(r.body.toString(), /<title>403 Forbidden<\/title>.*You may not access this path/s);
  };
  await forbidden([url + 'small.txt']);
  await forbidden([url + 'big.bin']);
  await forbidden(['-r', '0-9', url + 'big.bin']);
  await forbidden(['-r', '0-9,100-109', url + 'big.bin']);
  await forbidden(['-I', url + 'big.bin']); // HEAD answers as GET would (RFC 9110 §9.3.2)
  await forbidden(['-I', url + 'small.txt']);
  await forbidden([url + 'locked/']);
  await forbidden([url + 'locked/inner.txt']);
  // A small file in the memory cache that becomes unreadable is not served from memory any more.
  assert.equal((await curl([url + 'cached.txt'])).body.toString(), 'served once');
  await chmod(join(top, 'cached.txt'), 0o000);
  await forbidden([url + 'cached.txt']);
});

test('path attacks never return a file from outside the root', async () => {
  const attacks = ['../secret.txt', '%2e%2e/secret.txt', '%2E%2E%2Fsecret.txt', '%252e%252e/secret.txt', '..%5csecret.txt', '%5c..%5csecret.txt', 'hello.txt%00.png', '/' + dir.slice(1) + '/secret.txt', 'escape', 'escape-dir/secret.txt', 'sub%20dir/../../secret.txt', '.%2e/secret.txt'];
  for (const a of attacks) {
    const r = await curl([base + a]);
    assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${a} gave ${r.status}`);
    assert.ok(!r.body.toString().includes('outside'), a);
  }
  const inside = await curl([base + 'alias.txt']);
  assert.equal(inside.body.toString(), 'hello world\n'); // a symlink that stays inside is fine
});

test('directory listing: HTML with sortable columns, JSON for Accept: application/json, redirect to slash', async () => {
  const html = await curl([base]);
  assert.equal(html.status, 200);
  const page = html.body.toString();
  assert.match(page, /<a href="\/data.bin">data.bin<\/a>/);
  assert.match(page, /<a href="\/sub%20dir\/">sub dir\/<\/a>/);
  assert.match(page, /href="\?sort=size&amp;order=asc"/);
  assert.ok(!page.includes('<script'));
  const bySize = (await curl([base + '?sort=size&order=desc'])).body.toString();
  assert.ok(bySize.indexOf('data.bin') < bySize.indexOf('hello.txt'));
  const json = JSON.parse((await curl(['-H', 'Accept: application/json', base])).body.toString());
  const names = json.entries.map((e: { name: string }) => e.name);
  assert.deepEqual(names, ['sub dir', 'alias.txt', 'data.bin', 'hello.txt', 'page.html']); // outside links are hidden
  assert.deepEqual(json.entries[2], { name: 'data.bin', type: 'file', size: 100000, modified: json.entries[2].modified, href: '/data.bin' });
  const redirect = await curl([base + 'sub%20dir']);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers['location'], '/sub%20dir/');
});

test('the redirect to a folder\'s slash is a path on this server, never a network-path reference', async () => {
  // `Location: //sub/` would send a browser to http://sub/ (RFC 3986 §4.2): leading slashes collapse, names stay encoded.
  const cases: [string, string][] = [
    ['//sub%20dir', '/sub%20dir/'],
    ['///sub%20dir?x=1', '/sub%20dir/?x=1'],
    ['http://127.0.0.1//sub%20dir', '/sub%20dir/'], // absolute-form (RFC 9112 §3.2.2)
  ];
  for (const [target, location] of cases) {
    const r = await curl(['--request-target', target, base]);
    assert.equal(r.status, 301, target);
    assert.equal(r.headers['location'], location, target);
    assert.ok(r.body.toString().includes(`<a href="${location}">`), r.body.toString());
  }
  assert.equal((await curl(['--request-target', '//sub%20dir/', base])).status, 200); // the listing itself
});

test('Basic authentication: 401 with a challenge, 200 with the right password only', async () => {
  const none = await curl([authBase + 'hello.txt']);
  assert.equal(none.status, 401);
  assert.match(none.headers['www-authenticate']!, /^Basic realm="tandem"/);
  assert.equal((await curl(['-u', 'alice:wrong', authBase + 'hello.txt'])).status, 401);
  const ok = await curl(['-u', 'alice:s3cr:et', authBase + 'hello.txt']);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.toString(), 'hello world\n');
});

test('PUT uploads: created, replaced, capped at --upload-max, refused outside and without --upload', async () => {
  const src = join(dir, 'up.txt');
  await writeFile(src, 'uploaded');
  const created = await curl(['-T', src, base + 'sub%20dir/new.txt']);
  assert.equal(created.status, 201);
  assert.equal(await readFile(join(root, 'sub dir', 'new.txt'), 'utf8'), 'uploaded');
  await writeFile(src, 'again');
  assert.equal((await curl(['-T', src, base + 'sub%20dir/new.txt'])).status, 204);
  assert.equal(await readFile(join(root, 'sub dir', 'new.txt'), 'utf8'), 'again');
  const big = join(dir, 'big.bin');
  await writeFile(big, Buffer.alloc(5000));
  assert.equal((await curl(['-T', big, base + 'big.bin'])).status, 413);
  // A chunked body (no Content-Length) is cut off at the cap too.
  assert.equal((await curl(['-T', big, '-H', 'Transfer-Encoding: chunked', base + 'big2.bin'])).status, 413);
  assert.equal((await curl(['-T', src, base + '..%2fevil.txt'])).status, 403);
  assert.equal((await curl(['-T', src, base + 'escape-dir/evil.txt'])).status, 403);
  assert.equal((await curl(['-T', src, base + 'no/such/dir.txt'])).status, 409);
  assert.equal((await curl(['-T', src, authBase + 'x.txt', '-u', 'alice:s3cr:et'])).status, 405);
  const leftovers = (await readdir(root)).filter((n) => n.startsWith('.tandem-upload-') || n.startsWith('big'));
  assert.deepEqual(leftovers, []);
  await assert.rejects(readFile(join(dir, 'evil.txt')));
});

test('PUT into a folder the server may not write to: the readable 403 page, logged as 403', async (t) => {
  // Root writes anywhere, so this server runs as an unprivileged user (see helpers/unprivileged.ts).
  const top = await sharedTempDir(t);
  const user = unprivilegedUser();
  await mkdir(join(top, 'open'));
  if (user.uid !== undefined) await chown(join(top, 'open'), user.uid, user.gid!);
  await chmod(top, 0o555);
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', top, '--http', '127.0.0.1:0', '--upload'], user);
  const url = (await waitForLine(child, /at (http:\/\/\S+)/))[1]!;
  const src = join(dir, 'put-src.txt');
  await writeFile(src, 'some bytes');
  const logged = waitForLine(child, /"PUT \/new\.txt HTTP\/1\.1" (\d+) (\S+)/);
  const refused = await curl(['-T', src, url + 'new.txt']);
  assert.equal(refused.status, 403);
  assert.match(refused.body.toString(), /<title>403 Forbidden<\/title>/);
  assert.equal((await logged).slice(1).join(' '), `403 ${refused.body.length}`);
  // With Expect: 100-continue the refusal comes instead of the 100, before the body is sent (RFC 9110 §10.1.1).
  assert.equal((await curl(['-T', src, '-H', 'Expect: 100-continue', url + 'new.txt'])).status, 403);
  assert.deepEqual(await readdir(top), ['open']);
  // The same server writes where it may.
  assert.equal((await curl(['-T', src, url + 'open/new.txt'])).status, 201);
  assert.equal(await readFile(join(top, 'open', 'new.txt'), 'utf8'), 'some bytes');
});

test('an upload is never visible half-written: while a slow PUT is in flight its name does not exist, then it holds every byte', async () => {
  const url = await serve(['--upload']);
  const src = join(dir, 'slow-src.bin');
  const bytes = randomBytes(1536 * 1024);
  await writeFile(src, bytes);
  // 1.5 MiB at 1 MiB/s: about 1.5 s in flight, curl sending 64 KiB at a time.
  const put = run(CURL, ['-s', '-S', '-o', '/dev/null', '-w', '%{http_code}', '--limit-rate', '1M', '-T', src, url + 'sub%20dir/slow.bin'], { timeoutMs: 20_000 });
  let settled = false;
  void put.finally(() => (settled = true));
  // Whenever the name is there it holds every byte: it appears only by the rename once the body is complete (it may
  // be seen between that rename and curl's exit). Until then it is absent, and a GET of it is a 404.
  let sawTemporary = false;
  let absent = 0;
  for (let i = 0; i < 200 && !settled; i++) {
    const names = await readdir(join(root, 'sub dir'));
    sawTemporary ||= names.some((n) => n.startsWith('.tandem-upload-'));
    if (names.includes('slow.bin')) assert.ok((await readFile(join(root, 'sub dir', 'slow.bin'))).equals(bytes), 'a half-written file under its final name');
    else absent++;
    const got = await curl([url + 'sub%20dir/slow.bin']);
    assert.ok(got.status === 404 || got.body.equals(bytes), `GET while in flight: ${got.status}, ${got.body.length} bytes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = await put;
  assert.equal(done.stdout, '201', done.stderr);
  assert.ok(absent >= 5 && sawTemporary, `absent ${absent} times while in flight; temporary file seen: ${sawTemporary}`);
  assert.ok((await readFile(join(root, 'sub dir', 'slow.bin'))).equals(bytes));
  assert.ok((await curl([url + 'sub%20dir/slow.bin'])).body.equals(bytes));
  assert.deepEqual((await readdir(join(root, 'sub dir'))).filter((n) => n.startsWith('.tandem-upload-')), []);
});

test('access log: one Combined Log Format line per request', async () => {
  await curl(['-A', 'probe-agent', '-e', 'http://ref/', base + 'hello.txt?x=1']);
  await new Promise((r) => setTimeout(r, 200));
  const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
  const line = lines.find((l) => l.includes('probe-agent'));
  assert.ok(line, lines.join('\n'));
  assert.match(line, /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/hello\.txt\?x=1 HTTP\/1\.1" 200 12 "http:\/\/ref\/" "probe-agent"$/);
});

test('access log: requests refused before they could be parsed are logged too, with the line as sent', async () => {
  let count = (await readFile(logFile, 'utf8')).trim().split('\n').length;
  const refusals: [string[], string][] = [
    [['--request-target', '/a b c'], 'GET /a b c HTTP/1.1'],
    [['-X', 'BAD METHOD'], 'BAD METHOD / HTTP/1.1'],
    [['-H', 'X-Bad: a\x01b'], 'GET / HTTP/1.1'],
    [['--request-target', '/x"\x7f'], 'GET /x\\"\\x7f HTTP/1.1'], // escaped: the line cannot be broken or forged
  ];
  for (const [args, request] of refusals) {
    const r = await curl([...args, base]);
    assert.equal(r.status, 400, args.join(' '));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    assert.equal(lines.length, ++count, `one line for ${args.join(' ')}`);
    assert.match(lines.at(-1)!, /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(.*)" 400 - "-" "-"$/);
    assert.equal(/ "(.*)" 400 /.exec(lines.at(-1)!)![1], request);
  }
});
