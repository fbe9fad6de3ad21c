// HTTP file serving on loopback, side by side in one run: a 1 GiB download with curl and 10 s of wrk
// (64 connections) on a 4 KiB file, against tandem, nginx and the npm http-server.
// Goals: 1 GiB throughput ≥ 0.8 × nginx; small-file requests/s ≥ 0.5 × nginx and ≥ 2 × http-server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir, randomFile } from '../data.js';
import { measure, printTable } from '../measure.js';
import { nginxConfig, waitForPort } from '../servers.js';

const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const HTTP_SERVER = fileURLToPath(new URL('../../../.cache/test-npm/node_modules/http-server/bin/http-server', import.meta.url));
const BIG_MIB = Number(process.env.BENCH_HTTP_MIB ?? 1024);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 10);

interface Contender {
  name: string;
  start(root: string, port: number): ChildProcess;
}

const contenders: Contender[] = [
  { name: 'tandem', start: (root, port) => spawn(process.execPath, [TANDEM, 'serve', root, '--http', `127.0.0.1:${port}`, '--quiet'], { stdio: 'ignore' }) },
  // One worker per core, as nginx's `worker_processes auto` below.
  { name: 'tandem --workers auto', start: (root, port) => spawn(process.execPath, [TANDEM, 'serve', root, '--http', `127.0.0.1:${port}`, '--quiet', '--workers', 'auto'], { stdio: 'ignore' }) },
  { name: 'nginx', start: (root, port) => spawn('nginx', ['-c', nginxConfig(benchDir(), root, port), '-e', join(benchDir(), 'nginx-error.log')], { stdio: 'ignore' }) },
  { name: 'http-server', start: (root, port) => spawn(process.execPath, [HTTP_SERVER, root, '-a', '127.0.0.1', '-p', String(port), '-s', '-c-1'], { stdio: 'ignore' }) },
];

function wrk(url: string): number {
  const r = spawnSync('wrk', ['-t2', '-c64', `-d${WRK_SECONDS}s`, url], { encoding: 'utf8', timeout: (WRK_SECONDS + 30) * 1000 });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`wrk printed no rate: ${r.stdout}${r.stderr}`);
  if (/Non-2xx/.test(r.stdout)) throw new Error(`wrk saw errors: ${r.stdout}`);
  return Number(m[1]);
}

export default {
  async run(): Promise<void> {
    const root = join(benchDir(), 'http-root');
    mkdirSync(root, { recursive: true });
    randomFile(`http-root/big-${BIG_MIB}MiB.bin`, BIG_MIB * 1024 * 1024);
    randomFile('http-root/small-4KiB.bin', 4096);
    readFileSync(join(root, `big-${BIG_MIB}MiB.bin`)); // warm the page cache for every contender alike
    const rows: Record<string, string | number>[] = [];
    let port = 18_400;
    for (const c of contenders) {
      port++;
      const child = c.start(root, port);
      try {
        await waitForPort(port);
        const base = `http://127.0.0.1:${port}/`;
        let best = Infinity;
        for (let i = 0; i < 2; i++) best = Math.min(best, (await measure('curl', ['-s', '-o', '/dev/null', base + `big-${BIG_MIB}MiB.bin`])).wallSeconds);
        const rps = wrk(base + 'small-4KiB.bin');
        rows.push({ server: c.name, 'big MiB/s': BIG_MIB / best, 'small req/s': Math.round(rps) });
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      }
    }
    const ref = (name: string, key: string): number => Number(rows.find((r) => r.server === name)![key]);
    for (const r of rows) {
      r['big vs nginx'] = Number(r['big MiB/s']) / ref('nginx', 'big MiB/s');
      r['small vs nginx'] = Number(r['small req/s']) / ref('nginx', 'small req/s');
      r['small vs http-server'] = Number(r['small req/s']) / ref('http-server', 'small req/s');
    }
    console.log(`${BIG_MIB} MiB download with curl (best of 2); wrk -t2 -c64 -d${WRK_SECONDS}s on a 4 KiB file; goals: big ≥ 0.8 × nginx, small ≥ 0.5 × nginx and ≥ 2 × http-server`);
    printTable(rows);
    // The row the small-file goal is judged on: one worker per core, as nginx runs here.
    const workers = rows.find((r) => r.server === 'tandem --workers auto')!;
    const small = Number(workers['small vs nginx']);
    console.log(`small-file goal: tandem --workers auto at ${small.toFixed(2)} × nginx (goal ≥ 0.5): ${small >= 0.5 ? 'met' : 'NOT met'}; single process ${Number(rows[0]!['small vs nginx']).toFixed(2)} ×`);
  },
};
