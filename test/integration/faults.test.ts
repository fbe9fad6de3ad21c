// Faults that lose nothing (issue 16): a disk that fills up, a low descriptor limit, a finished command that must
// exit at once, and a download killed with SIGKILL again and again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShare } from '../helpers/share.js';
import { startProcess, tandem, TANDEM_ARGV, TANDEM_BIN, waitForLine } from '../helpers/processes.js';
import { xorshift } from '../helpers/rng.js';
import { tempDir } from '../helpers/tmp.js';

type After = { after: (fn: () => Promise<void> | void) => void };
const PIECE = 256 * 1024;

function jsonLines(text: string): Record<string, number | string>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, number | string>);
}

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');

/** A tmpfs of `size` mounted on a fresh folder, unmounted (lazily: a killed child may still hold a file) and removed when the test ends. */
async function tmpfs(t: After, size: string): Promise<{ dir: string; resize: (size: string) => void }> {
  assert.equal(process.getuid?.(), 0, 'this test mounts a small tmpfs to fill a disk: it needs root (CI runs it as root); run it as root');
  const dir = await mkdtemp(join(tmpdir(), 'tandem-full-'));
  const mount = (args: string[]): void => {
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `mount ${args.join(' ')}: ${r.stderr}`);
  };
  mount(['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  t.after(async () => {
    spawnSync('umount', ['-l', dir]);
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, resize: (to) => mount(['-o', `remount,size=${to}`, dir]) };
}

async function sharedFile(t: After, bytes: number, extra: string[] = []): Promise<{ dir: string; file: string; seed: Awaited<ReturnType<typeof startShare>> }> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'src'));
  const file = join(dir, 'src', 'data.bin');
  await writeFile(file, randomBytes(bytes));
  const seed = await startShare(t, file, dir, ['--piece-length', String(PIECE), ...extra]);
  return { dir, file, seed };
}

test('a disk that fills up: one ENOSPC line, exit 1, no .tmp left; once space is freed the rerun downloads only the missing pieces', async (t) => {
  const size = 6 * 1024 * 1024;
  const { file, seed } = await sharedFile(t, size);
  const disk = await tmpfs(t, '2m');
  const args = ['get', seed.torrentFile, '-o', disk.dir, '--peer', `127.0.0.1:${seed.port}`, '--no-dht', '--no-lsd'];
  const full = await tandem(args, { timeoutMs: 60_000 });
  assert.equal(full.code, 1, full.stderr);
  const said = (full.stdout + full.stderr).split('\n').filter((l) => l.includes('ENOSPC'));
  assert.equal(said.length, 1, `ENOSPC said ${said.length} times:\n${said.slice(0, 5).join('\n')}`);
  assert.match(said[0]!, /^tandem: write .*data\.bin: ENOSPC \(no space left on the device/);
  const leftovers = await readdir(join(disk.dir, '.tandem')).catch(() => []);
  assert.deepEqual(leftovers.filter((f) => f.endsWith('.tmp')), [], 'a temporary resume file was left behind');

  disk.resize('16m');
  const again = await tandem([...args, '--json'], { timeoutMs: 60_000 });
  assert.equal(again.code, 0, again.stderr);
  const events = jsonLines(again.stdout);
  const ready = events.find((e) => e.event === 'ready')!;
  const done = events.find((e) => e.event === 'done')!;
  const had = Number(ready.piecesHave);
  // What fitted before the disk filled (2 MiB of 6) is found on disk and verified, never fetched again.
  assert.ok(had >= 4, `only ${had} pieces found on disk after the first run`);
  const missing = size - had * PIECE;
  assert.ok(Number(done.downloadedBytes) <= missing, `downloaded ${done.downloadedBytes} bytes again; ${missing} were missing`);
  assert.equal(await sha256(join(disk.dir, 'data.bin')), await sha256(file));
});

test('tandem starts within 20 file descriptors, runs get and serve under ulimit -n 64, and says in one line when it cannot', async (t) => {
  const limited = (n: number, args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const child = spawn('bash', ['-c', `ulimit -n ${n}; exec "$@"`, 'bash', process.execPath, TANDEM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
  for (const args of [['--help'], ['get', '--help'], ['daemon', '--help'], ['serve', '--help']]) {
    const r = await limited(20, args);
    assert.equal(r.code, 0, `${args.join(' ')} under ulimit -n 20:\n${r.out}`);
    assert.match(r.out, /Usage: tandem/);
  }
  const size = 3 * 1024 * 1024;
  const { dir, file, seed } = await sharedFile(t, size);
  const out = join(dir, 'out');
  const get = await limited(64, ['get', seed.torrentFile, '-o', out, '--peer', `127.0.0.1:${seed.port}`, '--no-dht', '--no-lsd', '--quiet']);
  assert.equal(get.code, 0, get.out);
  assert.equal(await sha256(join(out, 'data.bin')), await sha256(file));

  const serve = spawn('bash', ['-c', `ulimit -n 64; exec "$@"`, 'bash', process.execPath, TANDEM_BIN, 'serve', join(dir, 'src'), '--http', '127.0.0.1:0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void serve.kill('SIGKILL'));
  const [line] = await waitForLine(serve, /^\{.*"event":"listening".*\}$/);
  const { url } = JSON.parse(line) as { url: string };
  const body = Buffer.from(await (await fetch(`${url}data.bin`)).arrayBuffer());
  assert.ok(body.equals(await readFile(file)));

  // Too few to run a download: one line, exit 1, no stack trace.
  const starved = await limited(20, ['get', seed.torrentFile, '-o', join(dir, 'starved'), '--peer', `127.0.0.1:${seed.port}`, '--no-dht', '--no-lsd']);
  assert.equal(starved.code, 1, starved.out);
  assert.equal(starved.out.trim().split('\n').length, 1, starved.out);
  assert.match(starved.out, /^tandem: .*EMFILE/);
});

test('get of data already complete exits within 2 s of printing done', async (t) => {
  const { dir, file, seed } = await sharedFile(t, 2 * 1024 * 1024);
  const out = join(dir, 'out');
  await mkdir(out);
  await copyFile(file, join(out, 'data.bin'));
  const get = startProcess(t, process.execPath, [...TANDEM_ARGV, 'get', seed.torrentFile, '-o', out, '--peer', `127.0.0.1:${seed.port}`, '--no-dht', '--no-lsd']);
  const exited = once(get, 'exit');
  await waitForLine(get, /^done: /, 20_000);
  const doneAt = Date.now();
  const [code] = (await exited) as [number];
  const delay = Date.now() - doneAt;
  assert.equal(code, 0);
  // It waited out a 10 s dial timeout before (connectTimeoutMs), though nothing was left to do.
  assert.ok(delay < 2000, `exited ${delay} ms after done`);
});

test('kill -9 of a download four times at random moments: it finishes with the exact bytes, and what it fetched again is at most what was in flight', async (t) => {
  const size = 16 * 1024 * 1024;
  // 2 MiB/s from the seed: the download takes about 8 s, so the kills land in the middle of it.
  const rate = 2 * 1024 * 1024;
  const { dir, file, seed } = await sharedFile(t, size, ['--upload-limit', String(rate)]);
  const out = join(dir, 'out');
  const args = ['get', seed.torrentFile, '-o', out, '--peer', `127.0.0.1:${seed.port}`, '--no-dht', '--no-lsd', '--json'];
  const next = xorshift(0x9e11);
  const kills = 4;
  for (let k = 0; k < kills; k++) {
    const get = startProcess(t, process.execPath, [...TANDEM_ARGV, ...args]);
    const exited = once(get, 'exit');
    // Once it is downloading (past the check of what is on disk), a further 0 to 1.5 s.
    await waitForLine(get, /^\{"event":"ready"/, 30_000);
    await new Promise((r) => setTimeout(r, next() % 1500));
    get.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL', `run ${k + 1} ended before it was killed`);
  }
  const last = await tandem(args, { timeoutMs: 60_000 });
  assert.equal(last.code, 0, last.stderr);
  assert.equal(await sha256(join(out, 'data.bin')), await sha256(file));
  // The seed's count of bytes sent, all runs together, once the last run is over.
  const uploaded = await seed.nextUploadedBytes();
  const again = uploaded - size;
  // In flight at a kill: the blocks requested ahead (requestQueueSeconds of the 2 MiB/s rate, plus a round trip) and the pieces
  // they belong to; everything written to disk is found again by hashing, the resume file being older than the
  // files (so pieces verified since its last save, up to 5 s before, are not lost either).
  const inFlight = 2 * rate + 2 * PIECE;
  t.diagnostic(`sent ${uploaded} bytes for a ${size}-byte file over ${kills} kills: ${again} fetched again (${(again / kills / 1024).toFixed(0)} KiB a kill; bound ${inFlight / 1024} KiB a kill)`);
  assert.ok(again <= kills * inFlight, `fetched ${again} bytes again over ${kills} kills; bound ${kills * inFlight}`);
});
