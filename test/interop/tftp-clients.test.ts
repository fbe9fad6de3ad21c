// `tandem serve --tftp` against real clients: curl's TFTP, Debian's tftp-hpa and atftp, and `tandem get tftp://`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { requireProgram } from '../helpers/programs.js';
import { freeUdpPort } from '../helpers/ports.js';
import { run, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';

const CURL = requireProgram('curl', 'curl');
const TFTP = requireProgram('tftp', 'tftp-hpa');
const ATFTP = requireProgram('atftp', 'atftp');
const TFTPD = requireProgram('/usr/sbin/in.tftpd', 'tftpd-hpa');
let dir: string;
let root: string;
let port: number;
let readOnlyPort: number;
const children: ChildProcess[] = [];
const big = randomBytes(3 * 1024 * 1024 + 123);
// 70,000 blocks of 8 bytes: block numbers wrap past 65535.
const rolling = randomBytes(8 * 70_000 + 5);

async function serve(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [...TANDEM_ARGV, 'serve', root, '--tftp', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return Number((await waitForLine(child, /tftp: serving .* at tftp:\/\/127\.0\.0\.1:(\d+)\//))[1]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-tftp-'));
  root = join(dir, 'root');
  await mkdir(join(root, 'boot'), { recursive: true });
  await writeFile(join(root, 'big.bin'), big);
  await writeFile(join(root, 'rolling.bin'), rolling);
  await writeFile(join(root, 'boot', 'text.cfg'), 'line one\nline two\r\nend\n');
  await writeFile(join(root, 'exact.bin'), Buffer.alloc(1024, 7)); // a multiple of 512: ends with an empty block
  await writeFile(join(dir, 'secret'), 'outside');
  port = await serve(['--tftp-write']);
  readOnlyPort = await serve([]);
});

after(async () => {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  await rm(dir, { recursive: true, force: true });
});

const out = (name: string): string => join(dir, name);

test('curl: octet read at 512 and 1428-byte blocks, exact-multiple file, error for a missing file', async () => {
  for (const blk of ['512', '1428']) {
    const r = await run(CURL, ['-s', '-S', '--tftp-blksize', blk, '-o', out(`c${blk}`), `tftp://127.0.0.1:${port}/big.bin`], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readFile(out(`c${blk}`)), big);
  }
  const exact = await run(CURL, ['-s', '-o', out('exact'), `tftp://127.0.0.1:${port}/exact.bin`]);
  assert.equal(exact.code, 0);
  assert.deepEqual(await readFile(out('exact')), Buffer.alloc(1024, 7));
  const missing = await run(CURL, ['-s', '-o', out('none'), `tftp://127.0.0.1:${port}/missing.bin`]);
  assert.equal(missing.code, 68); // curl: "TFTP: File Not Found"
});

test('curl: many transfers at once, each on its own port, all exact', async () => {
  const runs = Array.from({ length: 8 }, (_, i) => run(CURL, ['-s', '-S', '--tftp-blksize', '1024', '-o', out(`par${i}`), `tftp://127.0.0.1:${port}/big.bin`], { timeoutMs: 60_000 }));
  const results = await Promise.all(runs);
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readFile(out(`par${i}`)), big);
  }
});

test('tftp-hpa: binary and netascii reads, path escapes refused', async () => {
  const bin = await run(TFTP, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'get', 'big.bin', out('hpa.bin')], { timeoutMs: 60_000 });
  assert.equal(bin.code, 0, bin.stderr);
  assert.deepEqual(await readFile(out('hpa.bin')), big);
  const ascii = await run(TFTP, ['127.0.0.1', String(port), '-m', 'ascii', '-c', 'get', 'boot/text.cfg', out('hpa.txt')]);
  assert.equal(ascii.code, 0, ascii.stderr);
  // netascii went CR LF / CR NUL on the wire and tftp-hpa turned it back into the original bytes.
  assert.equal(await readFile(out('hpa.txt'), 'utf8'), 'line one\nline two\r\nend\n');
  for (const name of ['../secret', 'boot/../../secret', '/../secret']) {
    const r = await run(TFTP, ['127.0.0.1', String(port), '-v', '-m', 'binary', '-c', 'get', name, out('evil')]);
    assert.match(r.stdout + r.stderr, /Error code 2/, name);
    await assert.rejects(stat(out('evil')).then((s) => (s.size > 0 ? Promise.resolve() : Promise.reject(new Error('empty')))));
  }
});

test('tftp-hpa: write requests with --tftp-write, never over an existing file, refused without it', async () => {
  const src = out('upload.src');
  await writeFile(src, randomBytes(70_000));
  const put = await run(TFTP, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'put', src, 'boot/new.img']);
  assert.equal(put.code, 0, put.stderr);
  assert.deepEqual(await readFile(join(root, 'boot', 'new.img')), await readFile(src));
  const again = await run(TFTP, ['127.0.0.1', String(port), '-m', 'binary', '-c', 'put', src, 'boot/new.img']);
  assert.match(again.stdout + again.stderr, /Error code 6/);
  const refused = await run(TFTP, ['127.0.0.1', String(readOnlyPort), '-m', 'binary', '-c', 'put', src, 'other.img']);
  assert.match(refused.stdout + refused.stderr, /Error code 2/);
  await assert.rejects(stat(join(root, 'other.img')));
});

test('atftp: windowed read and write (RFC 7440) with blksize and tsize, one ACK per window, bytes exact', async () => {
  const blocks = Math.floor(big.length / 1428) + 1;
  const get = await run(ATFTP, ['--option', 'windowsize 16', '--option', 'blksize 1428', '--option', 'tsize 0', '--trace', '-g', '-r', 'big.bin', '-l', out('at.bin'), '127.0.0.1', String(port)], { timeoutMs: 60_000 });
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(await readFile(out('at.bin')), big);
  const trace = get.stdout + get.stderr;
  assert.match(trace, new RegExp(`received OACK <tsize: ${big.length}, windowsize: 16, blksize: 1428,`));
  const acks = trace.match(/sent ACK/g)?.length ?? 0;
  assert.ok(acks >= blocks / 16 && acks <= blocks / 16 + 4, `${acks} ACKs for ${blocks} blocks in windows of 16`);
  const src = out('at-upload.src');
  await writeFile(src, randomBytes(1_000_000 + 3));
  const put = await run(ATFTP, ['--option', 'windowsize 8', '--option', 'blksize 1000', '--option', 'tsize 0', '--trace', '-p', '-l', src, '-r', 'boot/at.img', '127.0.0.1', String(port)], { timeoutMs: 60_000 });
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stdout + put.stderr, /received OACK <tsize: 1000003, windowsize: 8, blksize: 1000,/);
  assert.deepEqual(await readFile(join(root, 'boot', 'at.img')), await readFile(src));
});

test('tandem get tftp://: blksize and windowsize negotiated, bytes exact', async () => {
  const r = await tandem(['get', `tftp://127.0.0.1:${port}/big.bin`, '-o', out('tg'), '--blksize', '1428', '--windowsize', '16', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const done = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'done');
  assert.equal(done.blockSizeBytes, 1428);
  assert.equal(done.windowSize, 16);
  assert.deepEqual(await readFile(join(out('tg'), 'big.bin')), big);
  const missing = await tandem(['get', `tftp://127.0.0.1:${port}/nope.bin`, '-o', out('tg')]);
  assert.equal(missing.code, 1); // a run-time failure, as a 404 is for get http://
  assert.match(missing.stderr, /file not found \(TFTP error 1\)/);
});

test('tandem get tftp:// from tftpd-hpa: blksize and tsize granted, windowsize not (lock-step then), bytes exact', async () => {
  // tftpd-hpa drops to user nobody, who must reach the files: its own folder, readable by all.
  const hpaRoot = join(dir, 'hpa-root');
  await mkdir(hpaRoot);
  await writeFile(join(hpaRoot, 'big.bin'), big);
  await Promise.all([chmod(dir, 0o755), chmod(hpaRoot, 0o755), chmod(join(hpaRoot, 'big.bin'), 0o644)]);
  const hpaPort = await freeUdpPort();
  const server = spawn(TFTPD, ['-L', '-a', `127.0.0.1:${hpaPort}`, '-s', hpaRoot], { stdio: 'ignore' });
  children.push(server);
  await new Promise((r) => setTimeout(r, 300)); // UDP: nothing to poll; in.tftpd binds at once
  const r = await tandem(['get', `tftp://127.0.0.1:${hpaPort}/big.bin`, '-o', out('from-hpa'), '--blksize', '1428', '--windowsize', '16', '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const done = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'done');
  assert.deepEqual([done.blockSizeBytes, done.windowSize], [1428, 1]);
  assert.deepEqual(await readFile(join(out('from-hpa'), 'big.bin')), big);
  const missing = await tandem(['get', `tftp://127.0.0.1:${hpaPort}/nope.bin`, '-o', out('from-hpa')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /TFTP error 1/);
});

test('block numbers roll over: 70,000 blocks with curl (lock-step) and tandem (windowed)', async () => {
  const c = await run(CURL, ['-s', '-S', '--tftp-blksize', '8', '-o', out('roll-curl'), `tftp://127.0.0.1:${port}/rolling.bin`], { timeoutMs: 90_000 });
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(await readFile(out('roll-curl')), rolling);
  const t = await tandem(['get', `tftp://127.0.0.1:${port}/rolling.bin`, '-o', out('roll-t'), '--blksize', '8', '--windowsize', '32'], { timeoutMs: 90_000 });
  assert.equal(t.code, 0, t.stderr);
  assert.deepEqual(await readFile(join(out('roll-t'), 'rolling.bin')), rolling);
});
