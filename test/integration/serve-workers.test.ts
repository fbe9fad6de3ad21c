// `tandem serve --workers N`: N processes share one HTTP port, a dead worker is replaced, Ctrl-C stops them all
// and the primary reports what they sent together; options that need one process are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { patternBytes } from '../helpers/trees.js';

/** Every worker pid seen, so the test can kill leftovers even after the primary is gone. */
const seen = new Set<number>();

/** The pids of a process's direct children, from /proc (no `ps` parsing). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  const pids = text ? text.split(/\s+/).map(Number) : [];
  for (const p of pids) seen.add(p);
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('serve --workers 2: two processes answer on one port, a killed worker is replaced, SIGINT stops all of them', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const data = patternBytes(100_000, 5);
  await writeFile(join(root, 'a.bin'), data);
  const server = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', root, '--http', '127.0.0.1:0', '--workers', '2', '--access-log', join(dir, 'log')]);
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  server.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = (await waitForLine(server, /at (http:\S+) \(2 worker processes\)/))[1]!;
  const workers = childrenOf(server.pid!);
  assert.equal(workers.length, 2, 'two worker processes');
  t.after(() => {
    for (const pid of seen) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  // Many parallel requests, all answered right, whichever worker takes them.
  const bodies = await Promise.all(Array.from({ length: 40 }, () => fetch(url + 'a.bin').then(async (r) => [r.status, Buffer.from(await r.arrayBuffer())] as const)));
  for (const [status, body] of bodies) {
    assert.equal(status, 200);
    assert.ok(body.equals(data));
  }
  assert.equal((await fetch(url + 'missing')).status, 404);

  // A worker that dies is replaced and the port keeps answering.
  process.kill(workers[0]!, 'SIGKILL');
  for (let waitedMs = 0; !/serve worker died .*starting another/.test(stderr); waitedMs += 100) {
    assert.ok(waitedMs < 15_000, `no replacement reported; stderr:\n${stderr}`);
    await delay(100);
  }
  for (let waitedMs = 0; childrenOf(server.pid!).length < 2; waitedMs += 100) {
    assert.ok(waitedMs < 15_000, 'the dead worker was not replaced');
    await delay(100);
  }
  const replaced = childrenOf(server.pid!);
  assert.ok(!replaced.includes(workers[0]!), 'the replacement is a new process');
  assert.equal((await fetch(url + 'a.bin')).status, 200);

  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  for (const pid of replaced) assert.ok(!alive(pid), `worker ${pid} outlived the primary`);
  // The primary adds up what the surviving workers sent; the killed one's bytes are lost with it, so: at least the
  // one request made after the replacement, at most everything.
  const sent = Number(/sent: (\d+) bytes/.exec(stdout)?.[1]);
  assert.ok(sent >= data.length && sent <= 41 * data.length + 1_000, `sent ${sent}`);
  const log = await readFile(join(dir, 'log'), 'utf8');
  assert.equal(log.split('\n').filter((l) => l.includes('"GET /a.bin HTTP/1.1" 200 100000 ')).length, 41, 'every request logged once, whole lines');
});

test('serve --workers refuses what needs one process, and bad counts, with exit 2', async () => {
  for (const [args, message] of [
    [['--workers', '2', '--seed'], /--workers and --seed/],
    [['--workers', '2', '--upload-limit', '1MiB'], /--workers and --upload-limit/],
    [['--workers', '0'], /--workers: "0"/],
    [['--workers', 'many'], /--workers: "many"/],
  ] as const) {
    const r = await tandem(['serve', '.', '--http', '127.0.0.1:0', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
