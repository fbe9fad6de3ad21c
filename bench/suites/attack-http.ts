// The newcomer under overload (issue 16): while wrk keeps 1,000 keep-alive connections busy on a 4 KiB file, new
// clients open a connection each and ask for the same file. Their time to first byte, for tandem and nginx side by
// side in one run: the first newcomer arrives in the storm of wrk's 1,000 connects, the rest under steady load.
// Goal: every newcomer's first byte within 1 s (nginx answers in about a millisecond).
// BENCH_TANDEM_CLI=path/to/main.js measures another build of tandem (a before/after comparison).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, randomFile } from '../data.js';
import { printTable } from '../measure.js';
import { nginxConfig, waitForPort } from '../servers.js';

const TANDEM = process.env.BENCH_TANDEM_CLI ?? fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The load, the newcomers and the goal, in one place. */
const RUN = {
  connections: Number(process.env.BENCH_ATTACK_CONNECTIONS ?? 1000),
  newcomers: 12,
  newcomerGapMs: 400,
  goalMs: 1000,
  fileBytes: 4096,
} as const;

interface Contender {
  name: string;
  /** The program it needs, and how to get it when missing. */
  needs: string;
  start(root: string, port: number): ChildProcess;
}

const contenders: Contender[] = [
  { name: 'tandem', needs: process.execPath, start: (root, port) => spawn(process.execPath, [TANDEM, 'serve', root, '--http', `127.0.0.1:${port}`, '--quiet'], { stdio: 'ignore' }) },
  { name: 'nginx', needs: 'nginx', start: (root, port) => spawn('nginx', ['-c', nginxConfig(benchDir(), root, port), '-e', join(benchDir(), 'nginx-error.log')], { stdio: 'ignore' }) },
];

const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/** One newcomer: a fresh connection, one GET; milliseconds to the first byte, or Infinity when not served whole. */
function newcomer(port: number, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    let first = Infinity;
    let bytes = 0;
    const s = connect(port, '127.0.0.1', () => s.write('GET /small-4KiB.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'));
    const timer = setTimeout(() => s.destroy(), timeoutMs);
    s.on('data', (d: Buffer) => {
      if (first === Infinity) first = performance.now() - started;
      bytes += d.length;
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(bytes > RUN.fileBytes ? first : Infinity);
    });
  });
}

/** Runs wrk for `seconds` while newcomers probe; the newcomers' first-byte times and wrk's requests/s. */
async function underLoad(port: number): Promise<{ ttfbMs: number[]; rps: number }> {
  const seconds = Math.ceil((RUN.newcomers * RUN.newcomerGapMs) / 1000) + 6;
  const wrk = spawn('wrk', ['-t2', `-c${RUN.connections}`, `-d${seconds}s`, '--timeout', '10s', `http://127.0.0.1:${port}/small-4KiB.bin`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  wrk.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<void>((resolve) => wrk.once('exit', () => resolve()));
  const ttfbMs: number[] = [];
  await new Promise((r) => setTimeout(r, 100)); // the first newcomer arrives with wrk's storm of connects
  for (let i = 0; i < RUN.newcomers; i++) {
    ttfbMs.push(await newcomer(port));
    await new Promise((r) => setTimeout(r, RUN.newcomerGapMs));
  }
  await ended;
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return { ttfbMs, rps: m ? Number(m[1]) : NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default {
  async run(): Promise<void> {
    if (!has('wrk')) {
      console.log('attack-http: skipped, wrk is missing (install it with scripts/install-test-deps.sh, or apt-get install wrk)');
      return;
    }
    const root = join(benchDir(), 'http-root');
    mkdirSync(root, { recursive: true });
    randomFile('http-root/small-4KiB.bin', RUN.fileBytes);
    const rows: Record<string, string | number>[] = [];
    let port = 18_500;
    for (const c of contenders) {
      if (!has(c.needs)) {
        console.log(`attack-http: ${c.name} is missing; install it with scripts/install-test-deps.sh (apt-get install ${c.needs})`);
        continue;
      }
      port++;
      const child = c.start(root, port);
      try {
        await waitForPort(port);
        const { ttfbMs, rps } = await underLoad(port);
        rows.push({ server: c.name, 'storm ms': ttfbMs[0]!, 'median ms': median(ttfbMs), 'max ms': Math.max(...ttfbMs), 'load req/s': Math.round(rps) });
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      }
    }
    console.log(`newcomer time to first byte while wrk -t2 -c${RUN.connections} loads a 4 KiB file (${RUN.newcomers} newcomers, the first during the connect storm); goal ≤ ${RUN.goalMs} ms`);
    printTable(rows);
    const tandem = rows.find((r) => r.server === 'tandem');
    const nginx = rows.find((r) => r.server === 'nginx');
    if (!tandem) return;
    const worst = Number(tandem['max ms']);
    const ratio = nginx ? ` (${(worst / Math.max(1, Number(nginx['max ms']))).toFixed(0)} × nginx's worst)` : ' (nginx missing: no ratio)';
    console.log(`newcomer goal: tandem's worst first byte ${worst.toFixed(0)} ms${ratio}: ${worst <= RUN.goalMs ? 'met' : 'NOT met'}`);
  },
};
