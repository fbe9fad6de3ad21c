// The FTP server's smaller commands, in-process over loopback: HELP, STAT, MDTM, SIZE, the transfer parameters,
// the RFC 775 X-forms, and the replies to unknown verbs and garbage (RFC 959 §4.2, §5.4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { FtpServer } from '../../src/ftp/index.js';
import { RawFtp, readAll } from '../helpers/ftp-raw.js';
import { freeTcpPort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

test('the smaller commands: HELP, STAT, MDTM, TYPE/MODE/STRU, X-forms, unknown verbs and garbage', async (t) => {
  const root = await tempDir(t);
  await mkdir(join(root, 'sub'));
  await writeFile(join(root, 'sub', 'a.txt'), 'alpha\n');
  const server = new FtpServer({ root, port: 0 });
  const { port } = await server.start();
  t.after(() => server.stop());
  const c = await RawFtp.open(port);
  t.after(() => c.close());
  assert.equal((await c.reply())!.code, 220);
  assert.equal((await c.cmd('USER ftp')).code, 331);
  assert.equal((await c.cmd('PASS x')).code, 230);
  const help = await c.cmd('HELP');
  assert.equal(help.code, 214);
  for (const verb of ['RETR', 'MLSD', 'STOR', 'EPSV', 'AUTH']) assert.match(help.lines.join(' '), new RegExp(`\\b${verb}\\b`), verb);
  const stat = await c.cmd('STAT');
  assert.equal(stat.code, 211);
  assert.ok(stat.lines.includes(' Logged in as anonymous'));
  const statDir = await c.cmd('STAT sub');
  assert.equal(statDir.code, 213);
  assert.ok(statDir.lines.some((l) => /^ -rw-r--r-- 1 ftp +ftp +6 .* a\.txt$/.test(l)), statDir.lines.join('|'));
  assert.match((await c.cmd('MDTM sub/a.txt')).lines[0]!, /^\d{14}$/);
  assert.deepEqual(await c.cmd('SIZE sub/a.txt'), { code: 213, lines: ['6'] });
  assert.equal((await c.cmd('SIZE sub')).code, 550);
  for (const [cmd, code] of [['TYPE A', 200], ['TYPE I', 200], ['TYPE L 8', 200], ['TYPE E', 504], ['MODE S', 200], ['MODE B', 504], ['STRU F', 200], ['STRU R', 504], ['ALLO 100', 202], ['XPWD', 257], ['XCWD sub', 250], ['XCUP', 250], ['SITE CHMOD 777 x', 502], ['FOO', 502], ['12 34', 500], ['OPTS NOPE', 501], ['REST -5', 501], ['PORT 1,2,3', 501], ['EPRT |9|x|1|', 522], ['PBSZ 0', 503], ['PROT P', 503]] as const) {
    assert.equal((await c.cmd(cmd)).code, code, cmd);
  }
  const d = await c.passive();
  assert.equal((await c.cmd('NLST sub')).code, 150);
  assert.equal((await readAll(d)).toString(), 'a.txt\r\n');
  assert.equal((await c.reply())!.code, 226);
  assert.deepEqual(await c.cmd('QUIT'), { code: 221, lines: ['Goodbye'] });
  await c.closed;
});

test('--ftp-pasv-ports and --ftp-pasv-address: passive ports from the range, the NAT address in 227, 425 when the range is taken', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'f.txt'), 'nat\n');
  const low = await freeTcpPort();
  const server = new FtpServer({ root, port: 0, pasvPorts: [low, low], pasvAddress: '10.1.2.3' });
  const { port } = await server.start();
  t.after(() => server.stop());
  const open = async (): Promise<RawFtp> => {
    const c = await RawFtp.open(port);
    t.after(() => c.close());
    await c.reply();
    await c.cmd('USER ftp');
    await c.cmd('PASS x');
    return c;
  };
  const a = await open();
  const pasv = await a.cmd('PASV');
  assert.equal(pasv.code, 227);
  assert.match(pasv.lines[0]!, new RegExp(`\\(10,1,2,3,${low >> 8},${low & 255}\\)`));
  const b = await open();
  assert.equal((await b.cmd('EPSV')).code, 425); // the only port in the range is a's
  // The client ignores the NAT address (as curl does) and reaches the port on the control connection's address.
  const data = await new Promise<Socket>((resolve) => {
    const s = connect({ port: low, host: '127.0.0.1' }, () => resolve(s));
  });
  assert.equal((await a.cmd('RETR f.txt')).code, 150);
  assert.equal((await readAll(data)).toString(), 'nat\n');
  assert.equal((await a.reply())!.code, 226);
  assert.equal((await b.cmd('EPSV')).code, 229); // free again after a's transfer
});
