import assert from 'node:assert/strict';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram } from './programs.js';
import { run } from './processes.js';

/** A self-signed certificate for 127.0.0.1, ::1 and localhost, made by openssl into `dir` (cert.pem, key.pem). */
export async function makeFtpCert(dir: string): Promise<{ cert: Buffer; key: Buffer; certPath: string; keyPath: string }> {
  const openssl = requireProgram('openssl', 'openssl');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const gen = await run(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost', '-keyout', keyPath, '-out', certPath]);
  assert.equal(gen.code, 0, gen.stderr);
  await chmod(keyPath, 0o644);
  return { cert: await readFile(certPath), key: await readFile(keyPath), certPath, keyPath };
}
