// The daemon's FTP server with what `tandem serve --ftp` has: an account, uploads, explicit FTPS (AUTH TLS) and
// implicit FTPS on a second address, passive ports; from the JSON configuration with flags on top, through a
// running daemon, with real sockets and `tandem get ftps://`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from '../helpers/daemon.js';
import { makeFtpCert } from '../helpers/ftp-cert.js';
import { RawFtp } from '../helpers/ftp-raw.js';
import { freeTcpPort } from '../helpers/ports.js';
import { TANDEM_ARGV, run, tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import type { ServerInfo } from '../../src/node/index.js';

test('the daemon FTP server from --config: account, uploads, explicit and implicit FTPS, passive ports, a log line per transfer', async (t) => {
  const dir = await tempDir(t);
  const pub = join(dir, 'pub');
  await mkdir(pub);
  const { certPath, keyPath } = await makeFtpCert(dir);
  const [ftp, ftps, pasvLow] = [await freeTcpPort(), await freeTcpPort(), 40_000 + Math.floor(Math.random() * 20_000)];
  const config = join(dir, 'tandem.json');
  await writeFile(config, JSON.stringify({ serveDir: pub, ftp: `127.0.0.1:${ftp}`, ftps: `127.0.0.1:${ftps}`, ftpAuth: 'bob:pw', ftpTlsCert: certPath, ftpTlsKey: keyPath, ftpPasvPorts: `${pasvLow}-${pasvLow + 20}` }));
  const d = await startDaemon(t, join(dir, 'state'), ['--config', config, '--ftp-write']);
  const info = (await d.rpc<ServerInfo[]>('server.list')).find((s) => s.kind === 'ftp')!;
  assert.equal(info.address, `127.0.0.1:${ftp} (FTPS 127.0.0.1:${ftps})`);

  const c = await RawFtp.open(ftp);
  t.after(() => c.close());
  assert.equal((await c.reply())!.code, 220);
  const feat = await c.cmd('FEAT');
  assert.ok(feat.lines.some((l) => /AUTH TLS/.test(l)), 'AUTH TLS offered with a certificate');
  assert.equal((await c.cmd('USER anonymous')).code, 331);
  assert.equal((await c.cmd('PASS x')).code, 530, 'only the ftpAuth user logs in');
  assert.equal((await c.cmd('USER bob')).code, 331);
  assert.equal((await c.cmd('PASS pw')).code, 230);
  const body = randomBytes(3 * 1024 * 1024 + 5);
  const data = await c.passive();
  assert.ok(data.remotePort! >= pasvLow && data.remotePort! <= pasvLow + 20, `passive port ${data.remotePort} in the range`);
  assert.equal((await c.cmd('STOR up.bin')).code, 150);
  data.end(body);
  assert.equal((await c.reply())!.code, 226);
  assert.ok((await readFile(join(pub, 'up.bin'))).equals(body), 'the upload (--ftp-write on top of the file) is there');

  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certPath };
  const got = await tandem(['get', `ftps://bob:pw@127.0.0.1:${ftps}/up.bin`, '-o', join(dir, 'got'), '--quiet'], { env, timeoutMs: 30_000 });
  assert.equal(got.code, 0, got.stderr);
  assert.ok((await readFile(join(dir, 'got', 'up.bin'))).equals(body), 'implicit FTPS serves the same folder');
  const log = await d.rpc<string[]>('server.log', { kind: 'ftp' });
  assert.ok(log.some((l) => / - bob .*"STOR \/up\.bin" ok 3145733 /.test(l)), log.join('\n'));
  assert.ok(log.some((l) => / - bob .*"RETR \/up\.bin" ok 3145733 .* tls$/.test(l)), log.join('\n'));
});

test('the daemon refuses FTP settings that do not fit: uploads without an account, FTPS without a certificate', async (t) => {
  const dir = await tempDir(t);
  for (const [args, message] of [
    [['--ftp', '127.0.0.1:0', '--ftp-write'], /--ftp-write needs --ftp-auth/],
    [['--ftps', '127.0.0.1:0'], /--ftps needs --ftp-tls-cert/],
    [['--ftp', '127.0.0.1:0', '--ftp-pasv-ports', '80-90'], /--ftp-pasv-ports/],
  ] as const) {
    const r = await run(process.execPath, [...TANDEM_ARGV, 'daemon', '--state-dir', join(dir, 'state'), '--rpc', '127.0.0.1:0', '--no-dht', '--serve-dir', dir, ...args], { timeoutMs: 20_000 });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
