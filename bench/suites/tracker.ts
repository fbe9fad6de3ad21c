// Tracker throughput, side by side in one run: `tandem tracker` (memory store), Debian's opentracker and the npm
// bittorrent-tracker server, each over UDP and HTTP, driven by bench/tracker-load.ts (64 announces in flight,
// 100k simulated peers over 1000 torrents, loopback only). Then one million distinct peers are registered with
// tandem tracker and its resident memory is read. BENCH_TRACKER_SECONDS sets the measured time per run (default 5).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from '../measure.js';
import { runLoad, type LoadResult } from '../tracker-load.js';
import { freeTcpPort } from '../../test/helpers/ports.js';

const SECONDS = Number(process.env.BENCH_TRACKER_SECONDS ?? 5);
const RUNS = 3;
const TORRENTS = 1000;
const PEERS = 100_000;
const INFLIGHT = 64;
const MILLION = 1_000_000;
const TANDEM = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const LOADGEN = fileURLToPath(new URL('../tracker-load.js', import.meta.url));

interface Server {
  name: string;
  port: number;
  child: ChildProcess;
}

/** Kilobytes from /proc/PID/status (VmHWM: peak resident set; VmRSS: current). */
function procKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : NaN;
}

/** Waits until a UDP announce is answered: every server here speaks BEP 15 on the same port as HTTP. */
async function ready(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const r = await runLoad({ url: `udp://127.0.0.1:${port}/announce`, seconds: 0, inflight: 1, torrents: 1, peers: 1, unique: 1, numwant: 0 }).catch(() => undefined);
    if (r && r.announces === 1) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`server on port ${port} never answered`);
}

function benchHashesHex(): string {
  const lines: string[] = [];
  for (let t = 0; t < TORRENTS; t++) {
    const b = Buffer.alloc(20, 0xb7);
    b.writeUInt32BE(t, 0);
    lines.push(b.toString('hex'));
  }
  return lines.join('\n') + '\n';
}

async function startTandem(): Promise<Server> {
  const port = await freeTcpPort();
  const child = spawn(process.execPath, [TANDEM, 'tracker', '--http', `127.0.0.1:${port}`, '--udp', `127.0.0.1:${port}`, '--rate-limit', '0', '--max-peers', String(MILLION)], { stdio: 'ignore' });
  await ready(port, child);
  return { name: 'tandem tracker', port, child };
}

async function startOpentracker(dir: string): Promise<Server> {
  // Debian's build is whitelist-only and refuses root: the bench torrents go in a whitelist, the tracker runs as nobody.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'whitelist'), benchHashesHex(), { mode: 0o644 });
  const port = await freeTcpPort();
  const child = spawn('opentracker', ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-d', dir, '-u', 'nobody', '-w', 'whitelist'], { stdio: 'ignore' });
  await ready(port, child);
  return { name: 'opentracker', port, child };
}

async function startBittorrentTracker(): Promise<Server> {
  const port = await freeTcpPort();
  const child = spawn(process.execPath, [LOADGEN, '--serve-bittorrent-tracker', String(port)], { stdio: 'ignore' });
  await ready(port, child);
  return { name: 'bittorrent-tracker (npm)', port, child };
}

async function stop(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function measureServer(start: () => Promise<Server>): Promise<Record<string, string | number>[]> {
  const s = await start();
  const rows: Record<string, string | number>[] = [];
  try {
    for (const transport of ['udp', 'http'] as const) {
      const url = `${transport}://127.0.0.1:${s.port}/announce`;
      await runLoad({ url, seconds: 1, inflight: INFLIGHT, torrents: TORRENTS, peers: PEERS, unique: 0, numwant: 50 }); // warm-up
      // Best of RUNS: on two cores shared with the load generator one 5 s run varies by ±15% (2.6-3.1x seen).
      let r: LoadResult | undefined;
      for (let i = 0; i < RUNS; i++) {
        const run = await runLoad({ url, seconds: SECONDS, inflight: INFLIGHT, torrents: TORRENTS, peers: PEERS, unique: 0, numwant: 50 });
        if (!r || run.ratePerSecond > r.ratePerSecond) r = run;
      }
      r = r!;
      rows.push({ server: s.name, transport, 'announces/s': Math.round(r.ratePerSecond), 'p99 ms': r.p99Ms, errors: r.errors, 'peak RSS MiB': procKiB(s.child.pid!, 'VmHWM') / 1024 });
    }
  } finally {
    await stop(s);
  }
  return rows;
}

async function millionPeers(): Promise<void> {
  const s = await startTandem();
  try {
    const t0 = performance.now();
    const r = await runLoad({ url: `udp://127.0.0.1:${s.port}/announce`, seconds: 0, inflight: INFLIGHT, torrents: 10_000, peers: MILLION, unique: MILLION, numwant: 0 });
    const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
    const peers = [...metrics.matchAll(/^tandem_tracker_peers\{state="\w+"\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    console.log(`\none million peers: ${r.announces} announces (${r.errors} errors) in ${((performance.now() - t0) / 1000).toFixed(1)} s over 10,000 torrents`);
    console.log(`  registered peers (from /metrics): ${peers}`);
    console.log(`  tandem tracker resident memory: ${(procKiB(s.child.pid!, 'VmRSS') / 1024).toFixed(0)} MiB now, ${(procKiB(s.child.pid!, 'VmHWM') / 1024).toFixed(0)} MiB peak (goal: under 300 MiB)`);
  } finally {
    await stop(s);
  }
}

function ratio(rows: Record<string, string | number>[], a: string, b: string, transport: string): number {
  const rate = (name: string): number => Number(rows.find((r) => r.server === name && r.transport === transport)?.['announces/s'] ?? NaN);
  return rate(a) / rate(b);
}

export default {
  async run(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-tracker-'));
    try {
      const rows = [...(await measureServer(startTandem)), ...(await measureServer(() => startOpentracker(dir))), ...(await measureServer(startBittorrentTracker))];
      console.log(`best of ${RUNS} runs of ${SECONDS} s, ${INFLIGHT} announces in flight, ${PEERS} simulated peers over ${TORRENTS} torrents, numwant 50; HTTP opens a connection per announce, as clients do`);
      printTable(rows);
      for (const transport of ['udp', 'http']) {
        const vsOt = ratio(rows, 'tandem tracker', 'opentracker', transport);
        const vsBt = ratio(rows, 'tandem tracker', 'bittorrent-tracker (npm)', transport);
        console.log(`${transport}: tandem/opentracker ${vsOt.toFixed(2)} (goal >= 0.5), tandem/bittorrent-tracker ${vsBt.toFixed(2)} (goal >= 3)`);
      }
      await millionPeers();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
