import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { realpath } from 'node:fs/promises';
import { lookupInside, resolveInside, tftpPathSegments, urlPathSegments } from '../../src/http/safe-path.js';
import { basicAuthChecker, parseCredentials } from '../../src/http/auth.js';
import { formatCombined } from '../../src/http/access-log.js';
import { listingHtml, sortEntries, sortFromQuery } from '../../src/http/listing.js';
import { tempDir } from '../helpers/tmp.js';

test('URL paths: traversal, encoded dots, backslashes, NUL and encoded slashes are refused', () => {
  const refused = ['/../etc/passwd', '/%2e%2e/etc/passwd', '/%2E%2E/x', '/a/./b', '/a/%2e/b', '/a\\..\\b', '/a%5c..%5cb', '/a%00b', '/a%2fb', '/a%2F..%2Fb', '/%0a'];
  for (const t of refused) assert.deepEqual(urlPathSegments(t), { ok: false, reason: 'forbidden' }, t);
  assert.deepEqual(urlPathSegments('/%E0%A4%A'), { ok: false, reason: 'bad-request' });
  assert.deepEqual(urlPathSegments('relative'), { ok: false, reason: 'bad-request' });
  assert.deepEqual(urlPathSegments('/x'.repeat(3000)), { ok: false, reason: 'bad-request' });
  // Double encoding decodes once: "%2e%2e" is then a literal name, not the parent folder.
  assert.deepEqual(urlPathSegments('/%252e%252e/x'), { ok: true, segments: ['%2e%2e', 'x'], trailingSlash: false });
  assert.deepEqual(urlPathSegments('/a//b%20c/?q=1'), { ok: true, segments: ['a', 'b c'], trailingSlash: true });
  assert.deepEqual(urlPathSegments('http://host/a/b'), { ok: true, segments: ['a', 'b'], trailingSlash: false });
  assert.deepEqual(tftpPathSegments('/boot/../x'), { ok: false, reason: 'forbidden' });
  assert.deepEqual(tftpPathSegments('/boot/pxelinux.0'), { ok: true, segments: ['boot', 'pxelinux.0'], trailingSlash: false });
});

test('resolveInside follows symlinks and refuses those that leave the root', async (t) => {
  const dir = await realpath(await tempDir(t));
  const root = join(dir, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'a');
  await writeFile(join(dir, 'secret'), 's');
  await symlink(join(dir, 'secret'), join(root, 'out'));
  await symlink('../a.txt', join(root, 'sub', 'in'));
  await symlink(dir, join(root, 'updir'));
  assert.deepEqual(await resolveInside(root, ['sub', 'in']), { kind: 'found', realPath: join(root, 'a.txt') });
  assert.deepEqual(await resolveInside(root, ['out']), { kind: 'forbidden' });
  assert.deepEqual(await resolveInside(root, ['updir', 'secret']), { kind: 'forbidden' });
  assert.deepEqual(await resolveInside(root, ['nope']), { kind: 'missing' });
  // A sibling whose name starts with the root's name is still outside.
  await mkdir(root + '2');
  await symlink(root + '2', join(root, 'sib'));
  assert.deepEqual(await resolveInside(root, ['sib']), { kind: 'forbidden' });
});

test('lookupInside: the real path and its stats, through symlinks or not, and a link changed a moment ago is seen at once', async (t) => {
  const dir = await realpath(await tempDir(t));
  const root = join(dir, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'a.txt'), 'a');
  await writeFile(join(root, 'sub', 'b.txt'), 'bb');
  await writeFile(join(dir, 'secret'), 's');
  await symlink('../a.txt', join(root, 'sub', 'in'));
  await symlink(join(dir, 'secret'), join(root, 'out'));
  const found = (segments: string[]): [string, number] => {
    const r = lookupInside(root, segments);
    assert.equal(r.kind, 'found', segments.join('/'));
    const f = r as Extract<typeof r, { kind: 'found' }>;
    assert.equal(f.stats.ino, statSync(f.realPath).ino);
    return [f.realPath, f.stats.size];
  };
  assert.deepEqual(found(['a.txt']), [join(root, 'a.txt'), 1]);
  assert.deepEqual(found(['sub', 'b.txt']), [join(root, 'sub', 'b.txt'), 2]);
  assert.deepEqual(found(['sub', 'in']), [join(root, 'a.txt'), 1]);
  assert.ok(lookupInside(root, []).kind === 'found');
  assert.deepEqual(lookupInside(root, ['out']), { kind: 'forbidden' });
  assert.deepEqual(lookupInside(root, ['nope']), { kind: 'missing' });
  assert.deepEqual(lookupInside(root, ['a.txt', 'x']), { kind: 'missing' }); // ENOTDIR
  // A regular file replaced by a link that leaves the root: refused on the very next lookup.
  await rename(join(root, 'a.txt'), join(root, 'a.old'));
  await symlink(join(dir, 'secret'), join(root, 'a.txt'));
  assert.deepEqual(lookupInside(root, ['a.txt']), { kind: 'forbidden' });
  // A folder swapped for a link to outside: its contents are refused too.
  await rename(join(root, 'sub'), join(root, 'sub.old'));
  await symlink(dir, join(root, 'sub'));
  assert.deepEqual(lookupInside(root, ['sub', 'secret']), { kind: 'forbidden' });
});

test('Basic auth: exact credentials only; the password may contain colons', () => {
  const creds = parseCredentials('user:pa:ss')!;
  assert.deepEqual(creds, { user: 'user', pass: 'pa:ss' });
  assert.equal(parseCredentials(':x'), undefined);
  const check = basicAuthChecker(creds);
  const b64 = (s: string): string => 'Basic ' + Buffer.from(s).toString('base64');
  assert.equal(check(b64('user:pa:ss')), true);
  assert.equal(check(b64('user:pa:sS')), false);
  assert.equal(check(b64('user:pa')), false);
  assert.equal(check('Bearer xyz'), false);
  assert.equal(check(undefined), false);
});

test('Combined Log Format line, with quotes and control bytes escaped', () => {
  const line = formatCombined({ remoteAddress: '127.0.0.1', user: 'frank', timeMs: Date.UTC(2000, 9, 10, 13, 55, 36), method: 'GET', target: '/a"b\n', httpVersion: '1.1', status: 200, bodyBytes: 2326, referer: 'http://x/', userAgent: 'curl/8' });
  assert.equal(line, '127.0.0.1 - frank [10/Oct/2000:13:55:36 +0000] "GET /a\\"b\\x0a HTTP/1.1" 200 2326 "http://x/" "curl/8"');
  assert.match(formatCombined({ remoteAddress: '::1', timeMs: 0, method: 'HEAD', target: '/', httpVersion: '1.0', status: 304, bodyBytes: 0 }), / - - \[01\/Jan\/1970:00:00:00 \+0000\] "HEAD \/ HTTP\/1.0" 304 - "-" "-"$/);
  // A refused request: its line as it arrived, or '-' when none did (as nginx logs a 400 or 408).
  const refused = (requestLine: string): string => formatCombined({ remoteAddress: '127.0.0.1', timeMs: 0, requestLine, status: 400, bodyBytes: 0 });
  assert.match(refused('BAD METHOD / HTTP/1.1'), / "BAD METHOD \/ HTTP\/1\.1" 400 - "-" "-"$/);
  assert.match(refused(''), / "-" 400 - "-" "-"$/);
  // Nothing from the network can end the line or start another: CR, LF, NEL (latin1 0x85), other bytes past ASCII.
  const hostile = refused('GET /x\r\n127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "GET /forged HTTP/1.1" 200 1 "-" "-"\x85\u2028 HTTP/1.1');
  assert.doesNotMatch(hostile, /[^\x20-\x7e]/);
  assert.match(hostile, /"GET \/x\\x0d\\x0a127\.0\.0\.1 - - \[01\/Jan\/1970:00:00:00 \+0000\] \\"GET \/forged HTTP\/1\.1\\" 200 1 \\"-\\" \\"-\\"\\x85\\u2028 HTTP\/1\.1" 400 -/);
  assert.match(formatCombined({ remoteAddress: '::1', timeMs: 0, method: 'GET', target: '/', httpVersion: '1.1', status: 200, bodyBytes: 0, userAgent: 'caf\xc3\xa9' }), /"caf\\xc3\\xa9"$/); // the UTF-8 bytes as sent
});

test('listing: folders first, sort keys and orders, names escaped in HTML', () => {
  const e = [
    { name: 'b.txt', type: 'file' as const, sizeBytes: 5, mtimeMs: 3 },
    { name: 'a.txt', type: 'file' as const, sizeBytes: 50, mtimeMs: 1 },
    { name: 'z', type: 'dir' as const, sizeBytes: 0, mtimeMs: 2 },
  ];
  assert.deepEqual(sortEntries(e, 'name', 'asc').map((x) => x.name), ['z', 'a.txt', 'b.txt']);
  assert.deepEqual(sortEntries(e, 'size', 'desc').map((x) => x.name), ['z', 'a.txt', 'b.txt']);
  assert.deepEqual(sortEntries(e, 'date', 'desc').map((x) => x.name), ['z', 'b.txt', 'a.txt']);
  assert.deepEqual(sortFromQuery('sort=size&order=desc'), { key: 'size', order: 'desc' });
  assert.deepEqual(sortFromQuery('sort=evil'), { key: 'name', order: 'asc' });
  const html = listingHtml({ path: '/', entries: [{ name: '<script>x', type: 'file', sizeBytes: 1, mtimeMs: 0 }], key: 'name', order: 'asc', truncated: false });
  assert.ok(!html.includes('<script>x'));
  assert.ok(html.includes('href="/%3Cscript%3Ex"'));
});
