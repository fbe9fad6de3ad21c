// The FTP server in-process over real loopback sockets, driven byte by byte: FileZilla's command sequence over
// explicit FTPS, confinement, the bounce attack, passive-connection theft, TLS rules, limits and timeouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import * as netModule from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtpServer, type FtpEvent, type FtpServerOptions } from '../../src/ftp/index.js';
import { makeFtpCert } from '../helpers/ftp-cert.js';
import { RawFtp, readAll, secureData } from '../helpers/ftp-raw.js';
import { run } from '../helpers/processes.js';

let dir: string;
let root: string;
let cert: { cert: Buffer; key: Buffer };
const big = randomBytes(5 * 1024 * 1024 + 7);
const servers: FtpServer[] = [];
const conns: RawFtp[] = [];

async function serve(extra: Partial<FtpServerOptions> = {}, events: FtpEvent[] = []): Promise<number> {
  const server = new FtpServer({ root, port: 0, onEvent: (e) => events.push(e), ...extra, limits: { loginFailureDelayMs: 50, ...extra.limits } });
  servers.push(server);
  return (await server.start()).port;
}

async function login(port: number, user = 'anonymous', pass = 'x@y'): Promise<RawFtp> {
  const c = await RawFtp.open(port);
  conns.push(c);
  assert.equal((await c.reply())!.code, 220);
  assert.equal((await c.cmd(`USER ${user}`)).code, 331);
  assert.equal((await c.cmd(`PASS ${pass}`)).code, 230);
  return c;
}

/** Every reply text, so a test can check none names the real folder. */
const text = (r: { lines: string[] }): string => r.lines.join('\n');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-ftp-'));
  root = join(dir, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'big.bin'), big);
  await writeFile(join(root, 'sub', 'a.txt'), 'alpha\n');
  await writeFile(join(dir, 'secret'), 'outside');
  await symlink(join(dir, 'secret'), join(root, 'escape'));
  await symlink(join(root, 'sub', 'a.txt'), join(root, 'inside-link'));
  cert = await makeFtpCert(dir);
});

after(async () => {
  for (const c of conns) c.close();
  for (const s of servers) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

test("FileZilla's sequence over explicit FTPS: each reply checked, MLSD and RETR over resumed-TLS data", async () => {
  const port = await serve({ tls: cert });
  const c = await RawFtp.open(port);
  conns.push(c);
  assert.equal((await c.reply())!.code, 220);
  assert.equal((await c.cmd('AUTH TLS')).code, 234);
  await c.secure(cert.cert);
  assert.equal((await c.cmd('USER anonymous')).code, 331);
  assert.equal((await c.cmd('PASS guest@')).code, 230);
  assert.deepEqual(await c.cmd('SYST'), { code: 215, lines: ['UNIX Type: L8'] });
  const feat = await c.cmd('FEAT');
  assert.equal(feat.code, 211);
  assert.equal(feat.lines[0], 'Features:');
  assert.equal(feat.lines.at(-1), 'End');
  for (const f of ['AUTH TLS', 'PBSZ', 'PROT', 'EPSV', 'UTF8', 'REST STREAM', 'SIZE', 'MDTM']) assert.ok(feat.lines.includes(' ' + f), f);
  assert.ok(feat.lines.some((l) => /^ MLST type\*;size\*;modify\*;perm\*;/.test(l)));
  assert.equal((await c.cmd('OPTS UTF8 ON')).code, 200);
  assert.deepEqual(await c.cmd('PBSZ 0'), { code: 200, lines: ['PBSZ=0'] });
  assert.equal((await c.cmd('PROT P')).code, 200);
  assert.deepEqual(await c.cmd('OPTS MLST type;size;modify;'), { code: 200, lines: ['MLST OPTS type;size;modify;'] });
  assert.deepEqual(await c.cmd('PWD'), { code: 257, lines: ['"/" is the current directory'] });
  assert.equal((await c.cmd('TYPE I')).code, 200);
  const mlsd = await pasvTransfer(c, 'MLSD');
  assert.match(mlsd, /^type=file;size=5242887;modify=\d{14}; big\.bin\r\n/m);
  assert.match(mlsd, /^type=dir;modify=\d{14}; sub\r\n/m);
  assert.doesNotMatch(mlsd, /escape/); // a link out of the root is not listed
  const got = await pasvTransfer(c, 'RETR big.bin', 'buffer');
  assert.ok(big.equals(got));
});

/** PASV (its address ignored, as FileZilla and curl do), the command, the data over TLS resuming the session. */
async function pasvTransfer(c: RawFtp, command: string, as: 'text' | 'buffer' = 'text'): Promise<string & Buffer> {
  const p = await c.cmd('PASV');
  assert.equal(p.code, 227);
  const n = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(p.lines[0]!)!.slice(1).map(Number);
  const raw = await new Promise<netModule.Socket>((resolve) => {
    const s = netModule.connect(n[4]! * 256 + n[5]!, '127.0.0.1', () => resolve(s));
  });
  c.write(command + '\r\n');
  const data = secureData(raw, cert.cert, c.session);
  assert.equal((await c.reply())!.code, 150);
  const body = await readAll(await data);
  assert.equal((await c.reply())!.code, 226);
  return (as === 'text' ? body.toString('utf8') : body) as string & Buffer;
}

test('AUTH TLS with USER and PASS in the same packet: the trailing commands are dropped, nobody is logged in', async () => {
  const port = await serve({ tls: cert });
  const c = await RawFtp.open(port);
  conns.push(c);
  await c.reply();
  c.write('AUTH TLS\r\nUSER anonymous\r\nPASS x\r\n');
  assert.equal((await c.reply())!.code, 234);
  await c.secure(cert.cert);
  assert.equal((await c.cmd('PWD')).code, 530);
  assert.equal((await c.cmd('AUTH TLS')).code, 503);
});

test('without a certificate: no AUTH TLS in FEAT, AUTH TLS answered 502', async () => {
  const port = await serve();
  const c = await login(port);
  const feat = await c.cmd('FEAT');
  assert.ok(!feat.lines.some((l) => /AUTH|PBSZ|PROT/.test(l)));
  assert.equal((await c.cmd('AUTH TLS')).code, 502);
});

test('confinement: dot-dot, absolute escapes, symlinks out, NUL, backslashes; replies never name the real folder', async () => {
  const port = await serve({ auth: { user: 'bob', pass: 'pw' }, allowWrite: true });
  const c = await login(port, 'bob', 'pw');
  const replies = [];
  for (const cmd of ['CWD ..', 'CDUP', 'SIZE ../secret', 'SIZE /../secret', 'SIZE escape', 'MDTM escape', 'MLST ../', 'SIZE sub/../../secret', 'SIZE a\0b', 'SIZE ..\\secret', `SIZE ${dir}/secret`]) {
    const r = await c.cmd(cmd);
    assert.equal(r.code, 550, `${cmd}: ${text(r)}`);
    replies.push(text(r));
  }
  assert.equal((await c.cmd('SIZE inside-link')).code, 213); // a link that stays inside is followed
  // A FIFO is never opened (an open would wait for a writer, a read would never end).
  assert.equal((await run('mkfifo', [join(root, 'pipe')])).code, 0);
  assert.equal((await c.cmd('SIZE pipe')).code, 550);
  assert.equal((await c.cmd('EPSV')).code, 229);
  assert.equal((await c.cmd('RETR pipe')).code, 550);
  await rm(join(root, 'pipe'));
  assert.equal((await c.cmd('CWD sub')).code, 250);
  assert.deepEqual(await c.cmd('PWD'), { code: 257, lines: ['"/sub" is the current directory'] });
  assert.equal((await c.cmd('SIZE ../../secret')).code, 550);
  for (const cmd of ['MKD ../../x', 'DELE ../../secret', 'RMD ../..', 'STOR ../../evil']) {
    const r = await c.cmd(cmd);
    assert.equal(r.code === 550 || r.code === 425, true, `${cmd}: ${r.code}`);
    replies.push(text(r));
  }
  assert.equal((await c.cmd('RNFR a.txt')).code, 350);
  assert.equal((await c.cmd('RNTO ../../moved')).code, 550);
  assert.equal((await c.cmd('EPSV')).code, 229);
  assert.equal((await c.cmd('STOR ../../evil')).code, 550);
  // Deleting the link that points out removes the link, never its target.
  assert.equal((await c.cmd('DELE /escape')).code, 250);
  assert.equal(await readFile(join(dir, 'secret'), 'utf8'), 'outside');
  await symlink(join(dir, 'secret'), join(root, 'escape'));
  assert.deepEqual(await readdir(dir).then((l) => l.sort()), ['cert.pem', 'key.pem', 'root', 'secret']);
  for (const t of replies) assert.ok(!t.includes(dir), t);
});

test('bounce attack: PORT and EPRT to another address or a port below 1024 are refused; to the client itself they work', async () => {
  const events: FtpEvent[] = [];
  const port = await serve({}, events);
  const c = await login(port);
  for (const cmd of ['PORT 127,0,0,2,200,10', 'EPRT |1|127.0.0.2|51210|', 'PORT 127,0,0,1,0,80', 'EPRT |1|127.0.0.1|1023|', 'PORT 10,0,0,1,200,10']) {
    assert.equal((await c.cmd(cmd)).code, 500, cmd);
  }
  assert.ok(events.some((e) => e.event === 'ftp:refused' && /127\.0\.0\.2:51210/.test(e.reason)));
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const lport = (listener.address() as { port: number }).port;
  const got = new Promise<Buffer>((resolve) => listener.once('connection', (s) => resolve(readAll(s))));
  assert.equal((await c.cmd(`EPRT |1|127.0.0.1|${lport}|`)).code, 200);
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 150);
  assert.equal((await got).toString(), 'alpha\n');
  assert.equal((await c.reply())!.code, 226);
  listener.close();
});

test('a passive data connection from 127.0.0.2 is refused; the client at 127.0.0.1 still gets its data', async () => {
  const events: FtpEvent[] = [];
  const port = await serve({}, events);
  const c = await login(port);
  const r = await c.cmd('EPSV');
  const dport = Number(/\|(\d+)\|/.exec(r.lines[0]!)![1]);
  const thief = await new Promise<netModule.Socket>((resolve, reject) => {
    const s = netModule.connect({ port: dport, host: '127.0.0.1', localAddress: '127.0.0.2' }, () => resolve(s));
    s.once('error', reject);
  });
  const stolen = readAll(thief);
  const honest = await new Promise<netModule.Socket>((resolve) => {
    const s = netModule.connect({ port: dport, host: '127.0.0.1' }, () => resolve(s));
  });
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 150);
  assert.equal((await readAll(honest)).toString(), 'alpha\n');
  assert.equal((await stolen).length, 0);
  assert.equal((await c.reply())!.code, 226);
  assert.ok(events.some((e) => e.event === 'ftp:refused' && /127\.0\.0\.2/.test(e.reason)));
});

test('a passive port is reused by the next EPSV, but takes one connection per EPSV: a second one, even from the client, is closed unread', async () => {
  const port = await serve();
  const c = await login(port);
  const portOf = (r: { lines: string[] }): number => Number(/\|(\d+)\|/.exec(r.lines[0]!)![1]);
  const dial = (p: number): Promise<netModule.Socket> =>
    new Promise((resolve, reject) => {
      const s = netModule.connect({ port: p, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
  const first = portOf(await c.cmd('EPSV'));
  const d1 = await dial(first);
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 150);
  assert.equal((await readAll(d1)).toString(), 'alpha\n');
  assert.equal((await c.reply())!.code, 226);
  const late = await dial(first); // the listener lingers, but nothing armed it
  assert.equal((await readAll(late)).length, 0);
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 425, 'no EPSV, no data connection');
  const second = portOf(await c.cmd('EPSV'));
  assert.equal(second, first, 'the lingering listener is reused');
  const d2 = await dial(second);
  assert.equal((await c.cmd('NLST sub')).code, 150);
  assert.equal((await readAll(d2)).toString(), 'a.txt\r\n');
  assert.equal((await c.reply())!.code, 226);
});

test('an endless line gets 500 and the connection closes; so does a flood of commands', async () => {
  const port = await serve();
  const c = await RawFtp.open(port);
  conns.push(c);
  await c.reply();
  c.write('USER ' + 'A'.repeat(10_000));
  assert.equal((await c.reply())!.code, 500);
  await c.closed;
  const d = await RawFtp.open(port);
  conns.push(d);
  await d.reply();
  d.write('NOOP\r\n'.repeat(10_000));
  let replies = 0;
  let last;
  for (let r = await d.reply(); r && replies < 10_000; r = await d.reply()) {
    replies++;
    last = r;
  }
  assert.ok(replies < 10_000, `${replies} replies`);
  assert.equal(last!.code, 421);
});

test('a data connection that never comes ends the transfer with 425; idle control connections close', async () => {
  const port = await serve({ limits: { dataConnectTimeoutMs: 200, idleTimeoutMs: 600 } });
  const c = await login(port);
  assert.equal((await c.cmd('RETR big.bin')).code, 425); // no PASV/PORT at all
  assert.equal((await c.cmd('EPSV')).code, 229);
  assert.equal((await c.cmd('RETR big.bin')).code, 150);
  assert.equal((await c.reply())!.code, 425);
  const started = Date.now();
  assert.equal((await c.reply(5_000))!.code, 421);
  await c.closed;
  assert.ok(Date.now() - started >= 300);
});

test('logins: three failures close the connection, each delayed; anonymous refused when --auth is set', async () => {
  const events: FtpEvent[] = [];
  const port = await serve({ auth: { user: 'bob', pass: 'pw' }, limits: { loginFailureDelayMs: 150 } }, events);
  const c = await RawFtp.open(port);
  conns.push(c);
  await c.reply();
  const started = Date.now();
  for (const [u, p] of [['anonymous', 'x'], ['bob', 'wrong'], ['bob', 'pw ']]) {
    assert.equal((await c.cmd(`USER ${u}`)).code, 331);
    const r = await c.cmd(`PASS ${p}`);
    assert.equal(r.code, u === 'bob' && p === 'pw ' ? 421 : 530);
  }
  await c.closed;
  assert.ok(Date.now() - started >= 450);
  assert.equal(events.filter((e) => e.event === 'ftp:login' && e.outcome === 'failed').length, 3);
  await login(port, 'bob', 'pw');
});

test('connections per address are capped', async () => {
  const port = await serve({ limits: { maxConnectionsPerAddress: 2 } });
  const a = await login(port);
  const b = await login(port);
  const c = await RawFtp.open(port);
  conns.push(c);
  assert.equal((await c.reply())!.code, 421);
  await c.closed;
  a.close();
  await a.closed;
  await new Promise((r) => setTimeout(r, 50));
  await login(port);
  b.close();
});

test('writes: anonymous never; the --auth user uploads through a hidden temporary file, resumes with REST, appends, renames, deletes', async () => {
  const events: FtpEvent[] = [];
  const port = await serve({ auth: { user: 'bob', pass: 'pw' }, allowWrite: true }, events);
  const anonPort = await serve({ allowWrite: true });
  const anon = await login(anonPort);
  assert.equal((await anon.cmd('STOR x')).code, 550);
  assert.equal((await anon.cmd('MKD x')).code, 550);
  const c = await login(port, 'bob', 'pw');
  const data = await c.passive();
  assert.equal((await c.cmd('STOR up.bin')).code, 150);
  data.write(big.subarray(0, 1_000_000));
  await new Promise((r) => setTimeout(r, 100));
  const during = await readdir(root);
  assert.ok(!during.includes('up.bin'), 'the half-written file is not visible under its name');
  const lister = await login(port, 'bob', 'pw');
  const ld = await lister.passive();
  assert.equal((await lister.cmd('NLST')).code, 150);
  const names = (await readAll(ld)).toString();
  assert.equal((await lister.reply())!.code, 226);
  assert.doesNotMatch(names, /tandem-upload/);
  data.end(big.subarray(1_000_000, 2_000_000));
  assert.equal((await c.reply())!.code, 226);
  assert.ok((await readFile(join(root, 'up.bin'))).equals(big.subarray(0, 2_000_000)));
  // REST + STOR: the rest of the file after its first 2,000,000 bytes.
  assert.equal((await c.cmd('REST 2000000')).code, 350);
  const d2 = await c.passive();
  assert.equal((await c.cmd('STOR up.bin')).code, 150);
  d2.end(big.subarray(2_000_000));
  assert.equal((await c.reply())!.code, 226);
  assert.ok((await readFile(join(root, 'up.bin'))).equals(big));
  const d3 = await c.passive();
  assert.equal((await c.cmd('APPE up.bin')).code, 150);
  d3.end('tail');
  assert.equal((await c.reply())!.code, 226);
  assert.equal((await readFile(join(root, 'up.bin'))).length, big.length + 4);
  assert.equal((await c.cmd('MKD newdir')).code, 257);
  assert.equal((await c.cmd('RNFR up.bin')).code, 350);
  assert.equal((await c.cmd('RNTO newdir/moved.bin')).code, 250);
  assert.equal((await c.cmd('SIZE newdir/moved.bin')).code, 213);
  assert.equal((await c.cmd('RMD newdir')).code, 550); // not empty
  assert.equal((await c.cmd('DELE newdir/moved.bin')).code, 250);
  assert.equal((await c.cmd('RMD newdir')).code, 250);
  assert.equal((await c.cmd('RNTO x')).code, 503);
  assert.deepEqual((await readdir(root)).sort(), ['big.bin', 'escape', 'inside-link', 'sub']);
  assert.ok(events.some((e) => e.event === 'ftp:transfer' && e.command === 'STOR' && e.outcome === 'ok' && e.bytes === 2_000_000 && e.user === 'bob'));
});

test('STOR over an active (EPRT) data connection and over a passive one keeps every byte of a multi-megabyte upload', async () => {
  const port = await serve({ auth: { user: 'bob', pass: 'pw' }, allowWrite: true });
  const c = await login(port, 'bob', 'pw');
  const listener = createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const lport = (listener.address() as { port: number }).port;
  listener.once('connection', (s) => s.end(big));
  assert.equal((await c.cmd(`EPRT |1|127.0.0.1|${lport}|`)).code, 200);
  assert.equal((await c.cmd('STOR active.bin')).code, 150);
  assert.equal((await c.reply())!.code, 226);
  listener.close();
  assert.ok((await readFile(join(root, 'active.bin'))).equals(big));
  const data = await c.passive();
  data.end(big); // sent before STOR: the server takes the bytes the kernel kept for it
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await c.cmd('STOR passive.bin')).code, 150);
  assert.equal((await c.reply())!.code, 226);
  assert.ok((await readFile(join(root, 'passive.bin'))).equals(big));
  assert.equal((await c.cmd('DELE active.bin')).code, 250);
  assert.equal((await c.cmd('DELE passive.bin')).code, 250);
});

test('data connections of finished downloads and listings are closed at once, not kept until the session ends', async () => {
  const port = await serve();
  const c = await login(port);
  const fds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
  const before = await fds();
  for (let i = 0; i < 40; i++) {
    const data = await c.passive();
    assert.equal((await c.cmd(i % 2 ? 'RETR sub/a.txt' : 'NLST sub')).code, 150);
    await readAll(data);
    assert.equal((await c.reply())!.code, 226);
  }
  await new Promise((r) => setTimeout(r, 50));
  const grew = (await fds()) - before;
  assert.ok(grew < 10, `${grew} more descriptors open after 40 transfers`);
});

test('small files and listings sent at once over a passive connection that has already come, and the same bytes when the command comes first; 64 KiB and one byte more', async () => {
  const edge = randomBytes(64 * 1024); // the largest file sent at once
  const over = randomBytes(64 * 1024 + 1); // the smallest one streamed
  await writeFile(join(root, 'edge.bin'), edge);
  await writeFile(join(root, 'over.bin'), over);
  const events: FtpEvent[] = [];
  const c = await login(await serve({}, events));
  for (const [command, want] of [['RETR edge.bin', edge], ['RETR sub/a.txt', Buffer.from('alpha\n')], ['NLST sub', Buffer.from('a.txt\r\n')], ['RETR over.bin', over]] as const) {
    // The connection is there before the command (as mirroring clients have it): written and closed at once.
    const data = await c.passive();
    await new Promise((r) => setTimeout(r, 20)); // let the server take the connection
    assert.equal((await c.cmd(command)).code, 150);
    assert.ok((await readAll(data)).equals(want), command);
    assert.equal((await c.reply())!.code, 226);
    // The command before the connection: the transfer waits for it.
    const r = await c.cmd('EPSV');
    assert.equal(r.code, 229);
    c.write(command + '\r\n');
    assert.equal((await c.reply())!.code, 150);
    const late = await new Promise<netModule.Socket>((resolve) => {
      const s = netModule.connect(Number(/\|(\d+)\|/.exec(r.lines[0]!)![1]), '127.0.0.1', () => resolve(s));
    });
    assert.ok((await readAll(late)).equals(want), `${command}, connected after it`);
    assert.equal((await c.reply())!.code, 226);
  }
  const logged = events.filter((e) => e.event === 'ftp:transfer');
  assert.deepEqual(logged.map((e) => e.event === 'ftp:transfer' && [e.command, e.bytes, e.outcome]), [['RETR', edge.length, 'ok'], ['RETR', edge.length, 'ok'], ['RETR', 6, 'ok'], ['RETR', 6, 'ok'], ['NLST', 7, 'ok'], ['NLST', 7, 'ok'], ['RETR', over.length, 'ok'], ['RETR', over.length, 'ok']]);
  await rm(join(root, 'edge.bin'));
  await rm(join(root, 'over.bin'));
});

test('a small file over a passive connection the client has reset: 426, not 226', async () => {
  const events: FtpEvent[] = [];
  const c = await login(await serve({}, events));
  const data = await c.passive();
  await new Promise((r) => setTimeout(r, 20)); // let the server take the connection
  data.resetAndDestroy();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 150);
  assert.equal((await c.reply())!.code, 426);
  const logged = events.find((e) => e.event === 'ftp:transfer');
  assert.equal(logged?.event === 'ftp:transfer' && logged.outcome, 'error');
});

test('LIST and NLST wildcards: * and ? in the last segment, within the folder the usual rules allow', async () => {
  await writeFile(join(root, 'sub', 'b.txt'), 'beta\n');
  await writeFile(join(root, 'sub', 'c.bin'), 'gamma\n');
  const c = await login(await serve());
  const listing = async (cmd: string): Promise<{ code: number; body: string }> => {
    const data = await c.passive();
    const r = await c.cmd(cmd);
    if (r.code !== 150) {
      data.destroy();
      return { code: r.code, body: '' };
    }
    const body = (await readAll(data)).toString();
    assert.equal((await c.reply())!.code, 226);
    return { code: 150, body };
  };
  assert.equal((await listing('NLST sub/*.txt')).body, 'sub/a.txt\r\nsub/b.txt\r\n');
  assert.equal((await listing('NLST /sub/?.bin')).body, '/sub/c.bin\r\n');
  assert.equal((await c.cmd('CWD sub')).code, 250);
  assert.equal((await listing('NLST *.txt')).body, 'a.txt\r\nb.txt\r\n');
  const long = (await listing('LIST -la *.txt')).body.trim().split('\r\n');
  assert.equal(long.length, 2);
  assert.match(long[0]!, /^-r.* a\.txt$/);
  assert.equal((await listing('NLST *.none')).body, '');
  for (const outside of ['NLST ../../*', 'LIST /../*', 'NLST ../escape*/x*']) assert.equal((await listing(outside)).code, 550, outside);
  assert.equal((await listing('NLST ../esc*')).body, '', 'a link out of the folder is not listed');
  assert.equal((await listing('MLSD *')).code, 550, 'MLSD takes a folder, not a pattern (RFC 3659 §7.1)');
  await rm(join(root, 'sub', 'b.txt'));
  await rm(join(root, 'sub', 'c.bin'));
});

test('an upload cut short leaves nothing behind', async () => {
  const port = await serve({ auth: { user: 'bob', pass: 'pw' }, allowWrite: true });
  const c = await login(port, 'bob', 'pw');
  const data = await c.passive();
  assert.equal((await c.cmd('STOR cut.bin')).code, 150);
  data.write(big.subarray(0, 100_000));
  await new Promise((r) => setTimeout(r, 50));
  data.resetAndDestroy();
  assert.equal((await c.reply())!.code, 426);
  assert.deepEqual((await readdir(root)).sort(), ['big.bin', 'escape', 'inside-link', 'sub']);
});

test('--ftp-tls-required: no login before AUTH TLS, PROT C refused, no clear data connection', async () => {
  const port = await serve({ tls: { ...cert, required: true } });
  const c = await RawFtp.open(port);
  conns.push(c);
  await c.reply();
  assert.equal((await c.cmd('USER anonymous')).code, 530);
  assert.equal((await c.cmd('AUTH TLS')).code, 234);
  await c.secure(cert.cert);
  assert.equal((await c.cmd('USER anonymous')).code, 331);
  assert.equal((await c.cmd('PASS x')).code, 230);
  assert.equal((await c.cmd('PBSZ 0')).code, 200);
  assert.equal((await c.cmd('PROT C')).code, 534);
  assert.equal((await c.cmd('EPSV')).code, 229);
  assert.equal((await c.cmd('RETR big.bin')).code, 521);
});

test('TLS data connections must resume the control session unless allowed; a refused one receives no byte', async () => {
  for (const allowUnresumed of [false, true]) {
    const port = await serve({ tls: { ...cert, allowUnresumed } });
    const c = await RawFtp.open(port);
    conns.push(c);
    await c.reply();
    await c.cmd('AUTH TLS');
    await c.secure(cert.cert);
    await c.cmd('USER anonymous');
    await c.cmd('PASS x');
    await c.cmd('PBSZ 0');
    await c.cmd('PROT P');
    const raw = await c.passive();
    c.write('RETR sub/a.txt\r\n');
    const tls = secureData(raw, cert.cert); // a fresh session: no resumption
    assert.equal((await c.reply())!.code, 150);
    let body: Buffer = Buffer.alloc(0);
    try {
      body = await readAll(await tls);
    } catch {
      /* the server may close before the handshake ends */
    }
    const end = await c.reply();
    if (allowUnresumed) {
      assert.equal(end!.code, 226);
      assert.equal(body.toString(), 'alpha\n');
    } else {
      assert.equal(end!.code, 522);
      assert.equal(body.length, 0);
    }
  }
});

test('ABOR during a transfer: 426 for the transfer, then 226; EPSV ALL refuses PASV and PORT', async () => {
  const port = await serve();
  const c = await login(port);
  const data = await c.passive();
  assert.equal((await c.cmd('RETR big.bin')).code, 150);
  data.pause(); // read nothing: the server blocks on a full socket
  await new Promise((r) => setTimeout(r, 100));
  c.write(Buffer.concat([Buffer.from([0xff, 0xf4, 0xff, 0xf2]), Buffer.from('ABOR\r\n')]));
  assert.equal((await c.reply())!.code, 426);
  assert.equal((await c.reply())!.code, 226);
  data.destroy();
  assert.equal((await c.cmd('NOOP')).code, 200);
  assert.equal((await c.cmd('EPSV ALL')).code, 200);
  assert.equal((await c.cmd('PASV')).code, 503);
  assert.equal((await c.cmd('PORT 127,0,0,1,200,10')).code, 503);
  assert.equal((await c.cmd('EPSV 2')).code, 522);
  assert.equal((await c.cmd('REST 10')).code, 350);
  const d = await c.passive();
  assert.equal((await c.cmd('RETR sub/a.txt')).code, 150);
  assert.equal((await readAll(d)).toString(), ''); // REST past the end of a 6-byte file: nothing left to send
  assert.equal((await c.reply())!.code, 226);
});
