// TLS (`--tls-cert/--tls-key`) with a certificate made by openssl, checked by curl and by `tandem get https://`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram } from '../helpers/programs.js';
import { run, startProcess, tandem, TANDEM_BIN, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

test('HTTPS: curl verifies the certificate, tandem get trusts it through NODE_EXTRA_CA_CERTS', async (t) => {
  const curl = requireProgram('curl', 'curl');
  const openssl = requireProgram('openssl', 'openssl');
  const dir = await tempDir(t);
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const gen = await run(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert]);
  assert.equal(gen.code, 0, gen.stderr);
  await writeFile(join(dir, 'f.txt'), 'secure bytes');
  const server = startProcess(t, process.execPath, [TANDEM_BIN, 'serve', dir, '--http', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key]);
  const url = (await waitForLine(server, /at (https:\/\/\S+)/))[1]!;
  const r = await run(curl, ['-s', '--cacert', cert, url + 'f.txt']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'secure bytes');
  const plain = await run(curl, ['-s', url.replace('https', 'http') + 'f.txt']);
  assert.notEqual(plain.stdout, 'secure bytes');
  const out = join(dir, 'out');
  const get = await tandem(['get', url + 'f.txt', '-o', out], { env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } });
  assert.equal(get.code, 0, get.stderr);
  assert.equal(await readFile(join(out, 'f.txt'), 'utf8'), 'secure bytes');
  const untrusted = await tandem(['get', url + 'f.txt', '-o', join(dir, 'out2')]);
  assert.equal(untrusted.code, 1);
});
