// TLS (`--tls-cert/--tls-key`) with a certificate made by openssl, checked by curl and by `tandem get https://`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram } from '../helpers/programs.js';
import { run, startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { sharedTempDir, unprivilegedUser } from '../helpers/unprivileged.js';

/** A self-signed certificate for 127.0.0.1 in `dir`, readable by anyone (the server may run as another user). */
async function makeCert(dir: string): Promise<{ cert: string; key: string }> {
  const openssl = requireProgram('openssl', 'openssl');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const gen = await run(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  assert.equal(gen.code, 0, gen.stderr);
  await chmod(key, 0o644);
  return { cert, key };
}

test('HTTPS: curl verifies the certificate, tandem get trusts it through NODE_EXTRA_CA_CERTS', async (t) => {
  const curl = requireProgram('curl', 'curl');
  const dir = await tempDir(t);
  const { cert, key } = await makeCert(dir);
  await writeFile(join(dir, 'f.txt'), 'secure bytes');
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', dir, '--http', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key]);
  const url = (await waitForLine(server, /at (https:\/\/\S+)/))[1]!;
  const logged = waitForLine(server, /"GET \/f\.txt HTTP\/1\.1" /);
  const r = await run(curl, ['-s', '--cacert', cert, url + 'f.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'secure bytes');
  assert.match((await logged).input!, /" 200 12 "-" "curl\/[^"]+"$/);
  // A HEAD logs no body bytes (Combined Log Format's %b), as on the plain-HTTP fast path.
  const loggedHead = waitForLine(server, /"HEAD \/f\.txt HTTP\/1\.1" /);
  const head = await run(curl, ['-s', '-I', '--cacert', cert, url + 'f.txt']);
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK\r\n.*content-length: 12\r\n/is);
  assert.match((await loggedHead).input!, /" 200 - "-" "curl\/[^"]+"$/);
  const plain = await run(curl, ['-s', url.replace('https', 'http') + 'f.txt']);
  assert.notEqual(plain.stdout, 'secure bytes');
  const out = join(dir, 'out');
  const get = await tandem(['get', url + 'f.txt', '-o', out], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } });
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await readFile(join(out, 'f.txt'), 'utf8'), 'secure bytes');
  const untrusted = await tandem(['get', url + 'f.txt', '-o', join(dir, 'out2')]);
  assert.equal(untrusted.code, 1);
});

test('HTTPS (node:http): files and folders the server may not read get the readable 403 page before any head', async (t) => {
  const curl = requireProgram('curl', 'curl');
  // Root reads files whatever their mode, so this server runs as an unprivileged user (see helpers/unprivileged.ts).
  const dir = await sharedTempDir(t);
  const { cert, key } = await makeCert(dir);
  const root = join(dir, 'root');
  await mkdir(join(root, 'locked'), { recursive: true });
  await writeFile(join(root, 'small.txt'), 'private');
  await writeFile(join(root, 'big.bin'), Buffer.alloc(200_000, 7)); // past the small-file cache: streamed
  for (const name of ['small.txt', 'big.bin', 'locked']) await chmod(join(root, name), 0o000);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key], unprivilegedUser());
  const url = (await waitForLine(server, /at (https:\/\/\S+)/))[1]!;
  for (const [args, path] of [[[], 'small.txt'], [[], 'big.bin'], [['-r', '0-9,20-29'], 'big.bin'], [['-I'], 'big.bin'], [[], 'locked/']] as const) {
    const r = await run(curl, ['-s', '-S', '--cacert', cert, '-w', '\n%{http_code}', ...args, url + path]);
    assert.equal(r.code, 0, `${path}: ${r.stderr}`);
    assert.match(r.stdout, /\n403$/, `${args.join(' ')} ${path}`);
    if (args[0] !== '-I') assert.match(r.stdout, /<title>403 Forbidden<\/title>.*You may not access this path/s);
  }
});

test('HTTPS (node:http): requests node:http refuses are answered as node answers them, and logged with the line as sent', async (t) => {
  const curl = requireProgram('curl', 'curl');
  const dir = await tempDir(t);
  const { cert } = await makeCert(dir);
  await writeFile(join(dir, 'f.txt'), 'x');
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', dir, '--http', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', join(dir, 'key.pem')]);
  const url = (await waitForLine(server, /at (https:\/\/\S+)/))[1]!;
  const cases: [string[], number, RegExp][] = [
    [['-X', 'BAD METHOD'], 400, /"BAD METHOD \/ HTTP\/1\.1" 400 - "-" "-"$/],
    [['--request-target', '/a b c'], 400, /"GET \/a b c HTTP\/1\.1" 400 - "-" "-"$/],
    // node's parser reports only the chunk it was reading: the line when the head came in one piece, else '-'.
    [['-H', `X-Big: ${'b'.repeat(20_000)}`], 431, /"(GET \/ HTTP\/1\.1|-)" 431 - "-" "-"$/],
  ];
  for (const [args, status, logged] of cases) {
    const line = waitForLine(server, / (4\d\d) - "-" "-"$/);
    const r = await run(curl, ['-s', '-S', '--cacert', cert, '-o', '/dev/null', '-w', '%{http_code}', ...args, url]);
    assert.equal(r.stdout, String(status), `${args[0]}: ${r.stderr}`);
    assert.match((await line).input!, logged);
  }
});
