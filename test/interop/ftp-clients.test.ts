// `tandem serve --ftp/--ftps` against the FTP clients in Debian: curl, lftp, wget and Python's ftplib, each
// checking the bytes that arrive, plain and over TLS (explicit and implicit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DEBIAN_PYTHON, requireProgram } from '../helpers/programs.js';
import { run } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { makeFtpCert } from '../helpers/ftp-cert.js';
import { portOf, serveFtp } from '../helpers/ftp-serve.js';

const CURL = requireProgram('curl', 'curl');
const LFTP = requireProgram('lftp', 'lftp');
const WGET = requireProgram('wget', 'wget');
requireProgram(DEBIAN_PYTHON, 'python3');
const big = randomBytes(4 * 1024 * 1024 + 321);

/** A served tree: big.bin, docs/a.txt, docs/deep/b.txt and a name with a space. */
async function tree(dir: string): Promise<string> {
  const root = join(dir, 'root');
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  await writeFile(join(root, 'big.bin'), big);
  await writeFile(join(root, 'docs', 'a.txt'), 'alpha\n');
  await writeFile(join(root, 'docs', 'deep', 'b.txt'), 'beta\n');
  await writeFile(join(root, 'docs', 'with space.txt'), 'space\n');
  return root;
}

async function sameTree(a: string, b: string): Promise<void> {
  const names = (await readdir(a)).sort();
  assert.deepEqual((await readdir(b)).sort(), names, `${a} vs ${b}`);
  for (const n of names) {
    if ((await stat(join(a, n))).isDirectory()) await sameTree(join(a, n), join(b, n));
    else assert.ok((await readFile(join(a, n))).equals(await readFile(join(b, n))), n);
  }
}

test('curl: download, resume with -C -, upload, upload resume, and a missing file', async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const s = serveFtp(t, [root, '--ftp', '127.0.0.1:0', '--auth', 'bob:pw', '--ftp-write']);
  const port = await portOf(s, 'ftp');
  const url = `ftp://bob:pw@127.0.0.1:${port}`;
  const r = await run(CURL, ['-sS', '-o', join(dir, 'dl'), `${url}/big.bin`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(dir, 'dl'))).equals(big));
  await writeFile(join(dir, 'part'), big.subarray(0, 1_000_000));
  const resumed = await run(CURL, ['-sS', '-C', '-', '-o', join(dir, 'part'), `${url}/big.bin`]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok((await readFile(join(dir, 'part'))).equals(big));
  assert.match(s.log(), /"RETR \/big\.bin" ok 3194625 /); // only the missing bytes were sent
  await writeFile(join(dir, 'up.bin'), big);
  const up = await run(CURL, ['-sS', '-T', join(dir, 'up.bin'), `${url}/docs/up.bin`]);
  assert.equal(up.code, 0, up.stderr);
  assert.ok((await readFile(join(root, 'docs', 'up.bin'))).equals(big));
  await writeFile(join(root, 'docs', 'half.bin'), big.subarray(0, 2_000_000));
  const upResume = await run(CURL, ['-sS', '-C', '-', '-T', join(dir, 'up.bin'), `${url}/docs/half.bin`]);
  assert.equal(upResume.code, 0, upResume.stderr);
  assert.ok((await readFile(join(root, 'docs', 'half.bin'))).equals(big));
  const missing = await run(CURL, ['-sS', '-o', join(dir, 'none'), `${url}/nope.bin`]);
  assert.equal(missing.code, 78); // RETR response: 550
  const anon = await run(CURL, ['-sS', '-o', join(dir, 'anon'), `ftp://127.0.0.1:${port}/big.bin`]);
  assert.equal(anon.code, 67); // login denied: only the --auth user logs in
});

test('curl: explicit FTPS with --ssl-reqd, implicit ftps://, a clear client refused under --ftp-tls-required', async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const { certPath, keyPath } = await makeFtpCert(dir);
  const s = serveFtp(t, [root, '--ftp', '127.0.0.1:0', '--ftps', '127.0.0.1:0', '--tls-cert', certPath, '--tls-key', keyPath, '--ftp-tls-required']);
  const port = await portOf(s, 'ftp');
  const sport = await portOf(s, 'ftps');
  const explicit = await run(CURL, ['-sS', '--ssl-reqd', '--cacert', certPath, '-o', join(dir, 'e'), `ftp://127.0.0.1:${port}/big.bin`]);
  assert.equal(explicit.code, 0, explicit.stderr);
  assert.ok((await readFile(join(dir, 'e'))).equals(big));
  const implicit = await run(CURL, ['-sS', '--cacert', certPath, '-o', join(dir, 'i'), `ftps://127.0.0.1:${sport}/docs/a.txt`]);
  assert.equal(implicit.code, 0, implicit.stderr);
  assert.equal(await readFile(join(dir, 'i'), 'utf8'), 'alpha\n');
  const listing = await run(CURL, ['-sS', '--cacert', certPath, `ftps://127.0.0.1:${sport}/docs/`]);
  assert.match(listing.stdout, /^-rw-r--r-- 1 ftp +ftp +6 \w{3} [ \d]\d [\d:]{5} a\.txt\r?$/m);
  const clear = await run(CURL, ['-sS', '-o', join(dir, 'c'), `ftp://127.0.0.1:${port}/big.bin`]);
  assert.notEqual(clear.code, 0);
  assert.match(s.log(), /"RETR \/big\.bin" ok 4194625 [\d.]+s tls/);
});

test('curl -g over [::1]', async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const s = serveFtp(t, [root, '--ftp', '[::1]:0']);
  const port = await portOf(s, 'ftp');
  const r = await run(CURL, ['-sS', '-g', '-o', join(dir, 'v6'), `ftp://[::1]:${port}/big.bin`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await readFile(join(dir, 'v6'))).equals(big));
  assert.match(s.log(), /^::1 - anonymous .*"RETR \/big\.bin" ok/m);
});

test('lftp: mirror over FTPS with a CA file (MLSD), mirror with ftp:use-mlsd no (LIST), put -c, mv, rm', async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const { certPath, keyPath } = await makeFtpCert(dir);
  const s = serveFtp(t, [root, '--ftp', '127.0.0.1:0', '--tls-cert', certPath, '--tls-key', keyPath, '--auth', 'bob:pw', '--ftp-write']);
  const port = await portOf(s, 'ftp');
  const lftp = (script: string): Promise<import('../helpers/processes.js').RunResult> =>
    run(LFTP, ['-u', 'bob,pw', '-e', `set ssl:ca-file ${certPath}; set net:max-retries 1; ${script}; bye`, `ftp://127.0.0.1:${port}`], { timeoutMs: 60_000 });
  const m1 = await lftp(`mirror / ${join(dir, 'm1')}`);
  assert.equal(m1.code, 0, m1.stderr);
  await sameTree(root, join(dir, 'm1'));
  assert.match(s.log(), /"MLSD \/docs" ok \d+ [\d.]+s tls/);
  const m2 = await lftp(`set ftp:use-mlsd no; mirror / ${join(dir, 'm2')}`);
  assert.equal(m2.code, 0, m2.stderr);
  await sameTree(root, join(dir, 'm2'));
  assert.match(s.log(), /"LIST \/docs" ok/);
  await writeFile(join(dir, 'local.bin'), big);
  await writeFile(join(root, 'remote.bin'), big.subarray(0, 1_500_000));
  const put = await lftp(`put -c ${join(dir, 'local.bin')} -o remote.bin`);
  assert.equal(put.code, 0, put.stderr);
  assert.ok((await readFile(join(root, 'remote.bin'))).equals(big));
  const mv = await lftp('mv remote.bin docs/moved.bin; rm docs/a.txt');
  assert.equal(mv.code, 0, mv.stderr);
  assert.ok((await readFile(join(root, 'docs', 'moved.bin'))).equals(big));
  await assert.rejects(stat(join(root, 'docs', 'a.txt')));
  await assert.rejects(stat(join(root, 'remote.bin')));
});

test('wget: recursive download (LIST -a parsed) and -c resume', async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const s = serveFtp(t, [root, '--ftp', '127.0.0.1:0']);
  const port = await portOf(s, 'ftp');
  const r = await run(WGET, ['-q', '-r', '-nH', '-P', join(dir, 'w'), `ftp://127.0.0.1:${port}/`], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['.listing', 'docs/.listing', 'docs/deep/.listing']) await rm(join(dir, 'w', f), { force: true }); // wget's own listing copies, if kept
  await sameTree(root, join(dir, 'w'));
  await mkdir(join(dir, 'c'));
  await writeFile(join(dir, 'c', 'big.bin'), big.subarray(0, 777_777));
  const c = await run(WGET, ['-q', '-c', `ftp://127.0.0.1:${port}/big.bin`], { cwd: join(dir, 'c') });
  assert.equal(c.code, 0, c.stderr);
  assert.ok((await readFile(join(dir, 'c', 'big.bin'))).equals(big));
  assert.match(s.log(), /"RETR \/big\.bin" ok 3416848 /);
});

const PY = `
import ftplib, ssl, sys, hashlib
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
class Reuse(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
if mode == 'plain':
    f = ftplib.FTP()
else:
    f = (Reuse if mode == 'reuse' else ftplib.FTP_TLS)(context=ssl.create_default_context(cafile=ca))
f.connect('127.0.0.1', port, timeout=20)
f.login()
if mode != 'plain':
    f.prot_p()
for name, facts in sorted(f.mlsd('/docs')):
    print(name, facts.get('type'), facts.get('size', '-'))
h = hashlib.sha256()
f.retrbinary('RETR /big.bin', h.update)
print(h.hexdigest())
f.quit()
`;

test("Python ftplib: MLSD and RETR; FTP_TLS refused without session reuse, accepted with it or with --ftp-allow-unresumed-tls", async (t) => {
  const dir = await tempDir(t);
  const root = await tree(dir);
  const { certPath, keyPath } = await makeFtpCert(dir);
  const digest = createHash('sha256').update(big).digest('hex');
  const expected = `a.txt file 6\ndeep dir -\nwith space.txt file 6\n${digest}\n`;
  const strict = serveFtp(t, [root, '--ftp', '127.0.0.1:0', '--tls-cert', certPath, '--tls-key', keyPath]);
  const port = await portOf(strict, 'ftp');
  const py = (mode: string, p: number): ReturnType<typeof run> => run(DEBIAN_PYTHON, ['-c', PY, mode, String(p), certPath], { timeoutMs: 60_000 });
  const plain = await py('plain', port);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.stdout, expected);
  const refused = await py('tls', port);
  assert.notEqual(refused.code, 0);
  assert.match(strict.log(), /"MLSD \/docs" error 0 [\d.]+s tls "TLS session of the data connection was not resumed/);
  const reuse = await py('reuse', port);
  assert.equal(reuse.code, 0, reuse.stderr);
  assert.equal(reuse.stdout, expected);
  const relaxed = serveFtp(t, [root, '--ftp', '127.0.0.1:0', '--tls-cert', certPath, '--tls-key', keyPath, '--ftp-allow-unresumed-tls']);
  const accepted = await py('tls', await portOf(relaxed, 'ftp'));
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.equal(accepted.stdout, expected);
});
