// `tandem get ftp(s)://` against tandem's own server (implicit FTPS with session reuse, a tree through MLSD),
// against a lying server whose listing names a path out of the download folder, and the CLI's usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { FtpServer, type FtpEvent } from '../../src/ftp/index.js';
import { makeFtpCert } from '../helpers/ftp-cert.js';
import { portOf, serveFtp } from '../helpers/ftp-serve.js';
import { tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

test('tandem get ftps:// (implicit, data sessions resumed) and a folder tree through MLSD', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  const big = randomBytes(2 * 1024 * 1024 + 9);
  await writeFile(join(root, 'docs', 'big.bin'), big);
  await writeFile(join(root, 'docs', 'deep', 'b.txt'), 'beta\n');
  const { cert, key, certPath } = await makeFtpCert(dir);
  const events: FtpEvent[] = [];
  const server = new FtpServer({ root, port: 0, implicitTls: true, tls: { cert, key }, onEvent: (e) => events.push(e) });
  const { port } = await server.start();
  t.after(() => server.stop());
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certPath };
  const r = await tandem(['get', `ftps://127.0.0.1:${port}/docs/`, '-o', join(dir, 'out')], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(dir, 'out', 'docs', 'big.bin'))).equals(big));
  assert.equal(await readFile(join(dir, 'out', 'docs', 'deep', 'b.txt'), 'utf8'), 'beta\n');
  const transfers = events.filter((e) => e.event === 'ftp:transfer');
  assert.deepEqual(transfers.map((e) => `${e.command} ${e.path} ${e.outcome} ${e.tls}`).sort(), ['MLSD /docs ok true', 'MLSD /docs/deep ok true', 'RETR /docs/big.bin ok true', 'RETR /docs/deep/b.txt ok true']);
  const untrusted = await tandem(['get', `ftps://127.0.0.1:${port}/docs/deep/b.txt`, '-o', join(dir, 'x')]);
  assert.equal(untrusted.code, 1);
});

/** A server that logs anyone in and lists `name` in every MLSD: a hostile listing. */
async function lyingServer(t: { after: (fn: () => Promise<void> | void) => void }, name: string): Promise<number> {
  const data: Server[] = [];
  const server = createServer((c: Socket) => {
    let listener: Server | undefined;
    c.write('220 hi\r\n');
    c.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\r\n').filter(Boolean)) {
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'USER') c.write('331 pw\r\n');
        else if (verb === 'PASS') c.write('230 in\r\n');
        else if (verb === 'FEAT') c.write('211-Features:\r\n MLST type*;size*;\r\n211 End\r\n');
        else if (verb === 'EPSV') {
          listener = createServer((s) => s.end(`type=file;size=5; ${name}\r\n`));
          data.push(listener);
          listener.listen(0, '127.0.0.1', () => c.write(`229 ok (|||${(listener!.address() as { port: number }).port}|)\r\n`));
        } else if (verb === 'MLSD') {
          c.write('150 here\r\n');
          setTimeout(() => c.write('226 done\r\n'), 50);
        } else if (verb === 'QUIT') c.end('221 bye\r\n');
        else c.write('200 ok\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const l of data) l.close();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

test('a listing that names ../evil, an absolute path, a dot-dot path or a control byte stops the download; nothing is written outside', async (t) => {
  const dir = await tempDir(t);
  for (const evil of ['../evil', '/etc/evil', 'a/../../evil', 'bad\x01name', '..']) {
    const port = await lyingServer(t, evil);
    const out = join(dir, 'out');
    const r = await tandem(['get', `ftp://127.0.0.1:${port}/pub/`, '-o', out]);
    if (evil === '..') {
      assert.equal(r.code, 0, r.stderr); // `..` is the parent entry of a listing: skipped, not fetched
      continue;
    }
    assert.equal(r.code, 1, `${evil}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /unsafe name/);
  }
  assert.deepEqual((await readdir(dir)).sort(), ['out']);
});

test('CLI: bad URLs and flag combinations exit 2 with one line', async (t) => {
  const dir = await tempDir(t);
  const bad = await tandem(['get', 'ftp://', '-o', dir]);
  assert.equal(bad.code, 2, bad.stderr);
  const noFile = await tandem(['get', 'ftp://127.0.0.1:1/', '-o', dir]);
  assert.equal(noFile.code, 1); // a folder URL: tries to connect, and fails at run time
  for (const args of [['--ftp', '127.0.0.1:0', '--ftp-access-log', join(dir, 'no', 'such', 'dir', 'log')], ['--ftp', '127.0.0.1:0', '--ftp-write'], ['--ftps', '127.0.0.1:0'], ['--ftp', '127.0.0.1:0', '--ftp-pasv-ports', '80-90'], ['--ftp', '127.0.0.1:0', '--ftp-pasv-address', 'nat.example'], ['--ftp', '127.0.0.1:0', '--ftp-tls-required']]) {
    const r = await tandem(['serve', dir, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const help = await tandem(['serve', '--help']);
  for (const flag of ['--ftp <host:port>', '--ftps <host:port>', '--ftp-write', '--ftp-pasv-ports', '--ftp-pasv-address', '--ftp-tls-required', '--ftp-allow-unresumed-tls', '--ftp-access-log']) assert.ok(help.stdout.includes(flag), flag);
});

test('serve --ftp-access-log FILE: login and transfer lines are appended there, not printed', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'alpha\n');
  const logPath = join(dir, 'ftp.log');
  await writeFile(logPath, 'an earlier line\n');
  const s = serveFtp(t, [dir, '--ftp', '127.0.0.1:0', '--ftp-access-log', logPath]);
  const port = await portOf(s, 'ftp');
  const r = await tandem(['get', `ftp://127.0.0.1:${port}/a.txt`, '-o', join(dir, 'out'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  s.child.kill('SIGTERM');
  await new Promise((resolve) => s.child.once('exit', resolve));
  const lines = (await readFile(logPath, 'utf8')).trim().split('\n');
  assert.equal(lines[0], 'an earlier line');
  assert.match(lines[1]!, /^127\.0\.0\.1 - anonymous \[[^\]]+\] "LOGIN" ok$/);
  assert.match(lines[2]!, /^127\.0\.0\.1 - anonymous \[[^\]]+\] "RETR \/a\.txt" ok 6 \d+\.\d{3}s$/);
  assert.doesNotMatch(s.log(), /"RETR/);
});
