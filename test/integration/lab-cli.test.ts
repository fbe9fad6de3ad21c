// tandem lab for real: namespaces, tc shaping, tandem serve/tracker/share/get in them, and the outputs. Needs
// root (CI runs as root); the refusal without root runs as `nobody`. Every test checks that no namespace of the
// lab's prefix and no process of its work folder is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { unprivilegedUser } from '../helpers/unprivileged.js';

const isRoot = process.getuid?.() === 0;

function labNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith('tlab-'));
}

/** Processes still running out of a lab's work folder (its clients and servers), or its probes. */
function labProcesses(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    if (cmd.includes('/tandem-lab-') || cmd.includes('/lab/probe.js') || /ip netns exec tlab-/.test(cmd)) out.push(`${pid}: ${cmd}`);
  }
  return out;
}

async function outDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-lab-test-out-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function assertNothingLeft(): void {
  assert.deepEqual(labNamespaces(), [], 'lab namespaces left behind');
  assert.deepEqual(labProcesses(), [], 'lab processes left behind');
}

test('tandem lab --clients 1,2 --size 2MiB --reps 1 --trace: every mode runs, every copy checks, the outputs and timelines are written, nothing is left', { skip: !isRoot && 'needs root', timeout: 240_000 }, async (t) => {
  const out = await outDir(t);
  const r = await tandem(['lab', '--clients', '1,2', '--size', '2MiB', '--reps', '1', '--trace', '--out', out], { timeoutMs: 200_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /server uplink \(server → c1\): [\d.]+ Mbit\/s of payload, [\d.]+ of the configured rate/);
  assert.match(r.stdout, /run 6\/6: hybrid, N = 2, rep 1/);

  const csv = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 7);
  const rows = csv.slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((f) => `${f[0]}/${f[1]}`), ['cs/1', 'p2p/1', 'hybrid/1', 'cs/2', 'p2p/2', 'hybrid/2']);
  for (const f of rows) {
    const [mode, n, , d, bound, ratio, , copies, clientCopies, , , cpu, sha, finishes] = f;
    assert.equal(sha, '1', `${mode} N=${n}: a copy failed its sha256`);
    assert.ok(Number(d) > 0 && Number(ratio) >= 0.95, `${mode} N=${n}: D ${d} against bound ${bound}`);
    assert.equal(finishes!.split(';').length, Number(n));
    assert.ok(Number(cpu) > 0);
    // The server sends at least one copy; client-server sends exactly N (counters see close to payload).
    assert.ok(Number(copies) >= 0.98, `${mode} N=${n}: server sent ${copies} copies`);
    if (mode === 'cs') assert.ok(Math.abs(Number(copies) - Number(n)) < 0.05 * Number(n), `cs N=${n}: ${copies} copies`);
    // Each client receives its copy, and not much more (ACKs of its uploads, a few duplicates at most).
    assert.ok(Number(clientCopies) >= 0.98 && Number(clientCopies) < 1.5, `${mode} N=${n}: each client got ${clientCopies} copies`);
  }
  // Two clients of a swarm: the server sends fewer than two copies, the rest goes between the clients.
  const p2p2 = rows.find((f) => f[0] === 'p2p' && f[1] === '2')!;
  assert.ok(Number(p2p2[7]) < 1.95, `p2p N=2: the server sent ${p2p2[7]} copies`);

  const report = readFileSync(join(out, 'report.md'), 'utf8');
  for (const part of ['## Parameters', '## Shaping check', '## Bounds', '### cs:', '### p2p:', '### hybrid:', "Every copy of every run had the file's sha256.", '![distribution.svg](distribution.svg)']) assert.ok(report.includes(part), `report.md lacks ${part}`);
  // Every tandem client prints when it is ready, so every mode's row has D over its start-up floor: a lower bound, so
  // D is not below it (a little slack: the lab reads each ready record a moment after it is printed).
  const modeRows = report.split('\n').filter((l) => /^\| [12] \| 1 \| [\d.]+ \|/.test(l));
  assert.equal(modeRows.length, 6, report);
  for (const l of modeRows) assert.ok(Number(l.split('|')[6]) >= 0.95, `D/floor in ${l}`);
  assert.match(r.stdout, /p2p N=2 rep 1: D [\d.]+ s = [\d.]+ × bound \([\d.]+ s\), [\d.]+ × floor \([\d.]+ s\)/);
  for (const svg of ['distribution.svg', 'uploads-cs-N2.svg', 'uploads-p2p-N2.svg', 'uploads-hybrid-N2.svg']) {
    const text = readFileSync(join(out, svg), 'utf8');
    assert.ok(text.startsWith('<svg') && text.trimEnd().endsWith('</svg>'), `${svg} is not an SVG`);
    assert.match(text, /<polyline /);
  }

  // --trace: a timeline per host of each swarm run (none for cs, which has no swarm), and its summary in the report.
  assert.deepEqual(readdirSync(join(out, 'trace')).sort(), ['hybrid-N01-r1', 'hybrid-N02-r1', 'p2p-N01-r1', 'p2p-N02-r1']);
  assert.deepEqual(readdirSync(join(out, 'trace', 'p2p-N02-r1')).sort(), ['c1.trace', 'c2.trace', 'server.trace']);
  for (const host of ['c1', 'c2']) {
    const lines = readFileSync(join(out, 'trace', 'p2p-N02-r1', `${host}.trace`), 'utf8').trim().split('\n');
    assert.match(lines[0]!, /^origin \d{13}$/);
    const verified = lines.filter((l) => / verified \d+$/.test(l)).map((l) => Number(l.split(' ')[2]));
    assert.deepEqual([...new Set(verified)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], `${host} verified every 256 KiB piece of 2 MiB once`);
  }
  const seedSends = readFileSync(join(out, 'trace', 'p2p-N02-r1', 'server.trace'), 'utf8').split('\n').filter((l) => / send-started \d+ 10\./.test(l));
  assert.ok(seedSends.length >= 1, 'the seed traced the pieces it sent, with the receiving address');
  assert.ok(report.includes('## Piece timelines (--trace)'), 'report.md lacks the trace section');
  const row = report.split('\n').find((l) => l.startsWith('| p2p | 2 | 1 |'));
  assert.ok(row, 'no traced row for p2p N = 2');
  assert.match(row!, /^\| p2p \| 2 \| 1 \| \d+\.\d\d \/ \d+\.\d\d \| \d+\.\d\d \/ \d+\.\d\d \|/, row);
  // The last cell is the seed's pieces per client (min / median / max), as its own trace counts them.
  const perClient = new Map<string, number>();
  for (const l of seedSends) perClient.set(l.split(' ')[3]!, (perClient.get(l.split(' ')[3]!) ?? 0) + 1);
  const counts = [...perClient.values(), ...Array<number>(Math.max(0, 2 - perClient.size)).fill(0)].sort((a, b) => a - b);
  assert.ok(row!.endsWith(`| ${counts[0]} / ${Math.round((counts[0]! + counts[1]!) / 2)} / ${counts[1]} |`), `${row} against ${JSON.stringify(counts)}`);
  assertNothingLeft();
});

test('Ctrl-C in the middle of a run removes every namespace and process, and a second lab refuses while one runs', { skip: !isRoot && 'needs root', timeout: 120_000 }, async (t) => {
  const out = await outDir(t);
  const child = spawn(process.execPath, [...TANDEM_ARGV, 'lab', '--clients', '2', '--modes', 'p2p', '--size', '8MiB', '--reps', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitForLine(child, /building \d+ network namespaces/, 30_000);
  const second = await tandem(['lab', '--clients', '1', '--size', '1MiB', '--reps', '1', '--out', out], { timeoutMs: 30_000 });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /another tandem lab is running \(pid \d+/);
  await waitForLine(child, /run 1\/1: p2p, N = 2/, 60_000);
  // Let the clients start, so there are processes in the namespaces to remove.
  await new Promise((r) => setTimeout(r, 1500));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  assert.equal(await exited, 1);
  assert.match(stderr, /interrupted/);
  assertNothingLeft();
  assert.equal(existsSync('/run/tandem-lab.lock'), false, 'the lock file is left');
  // Interrupted in its first run: nothing measured, so no runs.csv yet.
  assert.equal(existsSync(join(out, 'runs.csv')), false);
});

test('without root, tandem lab says it needs root in one line and exits 2', { timeout: 30_000 }, async () => {
  const user = unprivilegedUser();
  const args = [...TANDEM_ARGV, 'lab', '--clients', '1', '--size', '1MiB', '--reps', '1', '--out', join(tmpdir(), 'never-written')];
  const r = user.uid === undefined ? await run(process.execPath, args) : await run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', process.execPath, ...args]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'tandem: lab needs root (it makes network namespaces and shapes links with tc); run it as root\n');
  assert.equal(r.stdout, '');
  assert.equal(existsSync(join(tmpdir(), 'never-written')), false);
});

test('--simulate needs no root and reaches 1,000 clients in seconds', { timeout: 120_000 }, async (t) => {
  const out = await outDir(t);
  await chmod(out, 0o777);
  const user = unprivilegedUser();
  const args = [...TANDEM_ARGV, 'lab', '--simulate', '--clients', '1,16,1000', '--modes', 'p2p', '--reps', '1', '--out', out, '--json'];
  const r = await run(process.execPath, args, { timeoutMs: 60_000, ...user });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; clients?: number; ratio?: number });
  assert.deepEqual(lines.filter((l) => l.event === 'run').map((l) => l.clients), [1, 16, 1000]);
  assert.ok(lines.filter((l) => l.event === 'run').every((l) => l.ratio! >= 1));
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /# tandem lab \(simulation\)/);
});

test('tandem lab --modes libtorrent,aria2: the reference programs run the same swarm, every copy checks, nothing is left', { skip: !isRoot && 'needs root', timeout: 240_000 }, async (t) => {
  const out = await outDir(t);
  const r = await tandem(['lab', '--clients', '1,2', '--modes', 'libtorrent,aria2', '--size', '2MiB', '--reps', '1', '--out', out], { timeoutMs: 200_000 });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const rows = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((f) => `${f[0]}/${f[1]}`), ['libtorrent/1', 'aria2/1', 'libtorrent/2', 'aria2/2']);
  for (const f of rows) {
    const [mode, n, , d, bound, ratio, , copies, clientCopies, , , , sha, finishes] = f;
    assert.equal(sha, '1', `${mode} N=${n}: a copy failed its sha256`);
    assert.ok(Number(d) > 0 && Number(ratio) >= 0.95, `${mode} N=${n}: D ${d} against bound ${bound}`);
    assert.equal(finishes!.split(';').length, Number(n));
    assert.ok(Number(copies) >= 0.98, `${mode} N=${n}: server sent ${copies} copies`);
    assert.ok(Number(clientCopies) >= 0.98 && Number(clientCopies) < 1.5, `${mode} N=${n}: each client got ${clientCopies} copies`);
  }
  const report = readFileSync(join(out, 'report.md'), 'utf8');
  for (const part of ['### libtorrent:', '### aria2:', "Every copy of every run had the file's sha256."]) assert.ok(report.includes(part), `report.md lacks ${part}`);
  for (const svg of ['distribution.svg', 'uploads-libtorrent-N2.svg', 'uploads-aria2-N2.svg']) assert.match(readFileSync(join(out, svg), 'utf8'), /<polyline /);
  assertNothingLeft();
});

test('a reference mode whose program is missing names the package to install and exits 2 before anything starts', { timeout: 30_000 }, async () => {
  const never = join(tmpdir(), 'never-written-aria2');
  // With no PATH, aria2c cannot be found (node and Debian's /usr/bin/python3 are named by their full paths).
  const r = await run(process.execPath, [...TANDEM_ARGV, 'lab', '--modes', 'p2p,aria2', '--clients', '1', '--out', never], { env: { PATH: '/nonexistent' } });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'tandem: mode aria2 needs aria2c (apt-get install aria2)\n');
  assert.equal(existsSync(never), false);
  assertNothingLeft();
});

test('--simulate refuses the reference modes: it models tandem only', { timeout: 30_000 }, async () => {
  const r = await run(process.execPath, [...TANDEM_ARGV, 'lab', '--simulate', '--modes', 'p2p,libtorrent', '--out', join(tmpdir(), 'never-written-sim')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--simulate models tandem's own modes \(cs, p2p, hybrid\), not libtorrent/);
});

test('--trace records measured runs: with --simulate it is refused before anything is written', { timeout: 30_000 }, async () => {
  const never = join(tmpdir(), 'never-written-sim-trace');
  const r = await run(process.execPath, [...TANDEM_ARGV, 'lab', '--simulate', '--trace', '--out', never]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'tandem: --trace records measured runs; it does not go with --simulate\n');
  assert.equal(existsSync(never), false);
});
