// `tandem get ftp://` against Debian's vsftpd: one file, a resumed .part, and a folder tree (vsftpd has no MLSD,
// so the tree comes from LIST lines parsed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { requireProgram } from '../helpers/programs.js';
import { freeTcpPort } from '../helpers/ports.js';
import { startProcess, tandem } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

const VSFTPD = requireProgram('/usr/sbin/vsftpd', 'vsftpd');

async function untilListening(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`vsftpd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('tandem get ftp:// from vsftpd: a file, a resumed .part, a folder tree through LIST', async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755); // vsftpd reads the tree as its unprivileged ftp user
  const root = join(dir, 'root');
  await mkdir(join(root, 'docs', 'deep'), { recursive: true });
  const big = randomBytes(3 * 1024 * 1024 + 5);
  await writeFile(join(root, 'big.bin'), big);
  await writeFile(join(root, 'docs', 'a.txt'), 'alpha\n');
  await writeFile(join(root, 'docs', 'deep', 'b b.txt'), 'beta\n');
  await mkdir(join(dir, 'empty'));
  const port = await freeTcpPort();
  const conf = join(dir, 'vsftpd.conf');
  await writeFile(
    conf,
    [
      'listen=YES',
      'listen_ipv6=NO',
      'background=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'anonymous_enable=YES',
      'local_enable=NO',
      `anon_root=${root}`,
      'no_anon_password=YES',
      'write_enable=NO',
      'seccomp_sandbox=NO',
      `secure_chroot_dir=${join(dir, 'empty')}`,
      'ftp_username=ftp',
      'xferlog_enable=NO',
      '',
    ].join('\n'),
  );
  startProcess(t, VSFTPD, [conf]);
  await untilListening(port);
  const out = join(dir, 'out');
  const one = await tandem(['get', `ftp://127.0.0.1:${port}/big.bin`, '-o', out, '--json']);
  assert.equal(one.code, 0, one.stderr);
  assert.ok((await readFile(join(out, 'big.bin'))).equals(big));
  const done = JSON.parse(one.stdout.trim().split('\n').at(-1)!) as { event: string; bytes: number; resumedFromBytes: number };
  assert.deepEqual([done.event, done.bytes, done.resumedFromBytes], ['done', big.length, 0]);
  const out2 = join(dir, 'out2');
  await mkdir(out2);
  await writeFile(join(out2, 'big.bin.part'), big.subarray(0, 1_000_000));
  const resumed = await tandem(['get', `ftp://127.0.0.1:${port}/big.bin`, '-o', out2, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { resumedFromBytes: number }).resumedFromBytes, 1_000_000);
  assert.ok((await readFile(join(out2, 'big.bin'))).equals(big));
  const treeOut = join(dir, 'tree');
  const tree = await tandem(['get', `ftp://127.0.0.1:${port}/docs/`, '-o', treeOut]);
  assert.equal(tree.code, 0, tree.stderr);
  assert.equal(await readFile(join(treeOut, 'docs', 'a.txt'), 'utf8'), 'alpha\n');
  assert.equal(await readFile(join(treeOut, 'docs', 'deep', 'b b.txt'), 'utf8'), 'beta\n');
  assert.match(tree.stdout, /saved .*docs \(2 files, /);
});
