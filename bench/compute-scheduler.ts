// The compute bench's scheduler part: instances dispatched and reported per second with many synthetic volunteers,
// p50 and p99 of the scheduler call. The project server runs as its own process (`tandem compute serve`), as it
// would in production, so the synthetic volunteers in this process do not share its thread; the core measurement
// calls the handler and its SQLite store directly, without HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addApplication, encodeBundle, generateSigningKeys, openProject, submitWorkUnit, writeKeys } from '../src/compute/index.js';
import type { FinishedReport } from '../src/compute/protocol.js';
import { handleScheduler } from '../src/compute/scheduler.js';
import { schedulerCall, uploadOutput } from '../src/compute/transfer.js';

const TANDEM_MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const WORK_UNITS = Number(process.env.BENCH_COMPUTE_WUS ?? 6000);
const VOLUNTEERS = Number(process.env.BENCH_COMPUTE_VOLUNTEERS ?? 64);
/** Cores each synthetic volunteer declares: the instances one scheduler call may hand it. */
const CORES = Number(process.env.BENCH_COMPUTE_CORES ?? 8);
const IN_FLIGHT = 16;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function makeProject(dir: string, wasmPath: string): Promise<string> {
  const { paths, store } = await openProject(dir, { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  await addApplication(paths, store, 'sum', wasmPath, paths.privateKey, Date.now());
  writeFileSync(join(dir, 'in'), 'x');
  for (let n = 0; n < WORK_UNITS; n++) await submitWorkUnit(paths, store, { name: `w${n}`, app: 'sum', inputs: [join(dir, 'in')], replication: { minQuorum: 1, targetNResults: 1 } }, Date.now());
  store.close();
  return paths.root;
}

function output(workUnit: string): { bundle: Buffer; report: Omit<FinishedReport, 'instance'> } {
  const bundle = encodeBundle(new Map([['<stdout>', Buffer.from(`result of ${workUnit}\n`)]]));
  return { bundle, report: { status: 'success', reason: null, outputSha256: createHash('sha256').update(bundle).digest('hex'), outputBytes: bundle.length, cpuSeconds: 0.1, elapsedSeconds: 0.1 } };
}

interface Figures { reported: number; seconds: number; latencies: number[] }

function print(label: string, f: Figures): void {
  f.latencies.sort((a, b) => a - b);
  console.log(`  ${label}: ${f.reported} instances dispatched and reported in ${f.seconds.toFixed(1)} s: ${(f.reported / f.seconds).toFixed(0)} per second; scheduler call p50 ${percentile(f.latencies, 50).toFixed(2)} ms, p99 ${percentile(f.latencies, 99).toFixed(2)} ms (${f.latencies.length} calls)`);
}

/** Starts `tandem compute serve` on a free port and resolves with it and its URL once it listens. */
function startServer(root: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // BENCH_COMPUTE_PROFILE_DIR=DIR writes the server's CPU profile there, to see where a call's time goes.
    const profile = process.env.BENCH_COMPUTE_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_COMPUTE_PROFILE_DIR] : [];
    const child = spawn(process.execPath, [...profile, TANDEM_MAIN, 'compute', 'serve', root, '--http', '127.0.0.1:0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"event":"listening","url":"([^"]+)"/.exec(buf);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`compute serve exited ${code}: ${buf.slice(-2000)}`)));
  });
}

/** Over HTTP: a `compute serve` child, 64 volunteers 16 at once, each instance's output uploaded before its report. */
async function overHttp(dir: string, wasmPath: string): Promise<Figures> {
  const root = await makeProject(join(dir, 'http'), wasmPath);
  const { child, url } = await startServer(root);
  const latencies: number[] = [];
  let reported = 0;
  const started = performance.now();
  const volunteer = async (k: number): Promise<void> => {
    const id = { hostId: null as number | null, authenticator: null as string | null };
    let finished: FinishedReport[] = [];
    for (let round = 0; round < 10_000; round++) {
      const t0 = performance.now();
      const reply = await schedulerCall(url, { ...id, userName: `u${k}`, cores: CORES, memoryBytes: 1 << 30, gflops: 1, wasmFeatures: [], workSeconds: 100_000, finished, inProgress: [] });
      latencies.push(performance.now() - t0);
      reported += finished.length;
      Object.assign(id, { hostId: reply.hostId, authenticator: reply.authenticator });
      if (reply.instances.length === 0 && finished.length === 0) return;
      finished = await Promise.all(reply.instances.map(async (inst) => {
        const { bundle, report } = output(inst.workUnit);
        await uploadOutput(url, inst.name, inst.permit, bundle);
        return { instance: inst.name, ...report };
      }));
    }
  };
  const queue = Array.from({ length: VOLUNTEERS }, (_, k) => k);
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      for (let k = queue.shift(); k !== undefined; k = queue.shift()) await volunteer(k);
    }));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  return { reported, seconds: (performance.now() - started) / 1000, latencies };
}

/** The scheduler alone: the same calls made directly on the handler and its SQLite store, one at a time. */
export async function schedulerCore(dir: string, wasmPath: string): Promise<Figures> {
  const root = await makeProject(join(dir, 'core'), wasmPath);
  const { paths, store } = await openProject(root);
  const ctx = { store, uploadsDir: paths.uploads, permitSecret: store.permitSecret() };
  const latencies: number[] = [];
  let reported = 0;
  const started = performance.now();
  for (let k = 0; k < VOLUNTEERS; k++) {
    const id = { hostId: null as number | null, authenticator: null as string | null };
    let finished: FinishedReport[] = [];
    for (let round = 0; round < 10_000; round++) {
      const t0 = performance.now();
      const reply = await handleScheduler(ctx, { ...id, userName: null, cores: CORES, memoryBytes: 1 << 30, gflops: 1, wasmFeatures: [], workSeconds: 100_000, finished, inProgress: [] }, Date.now());
      latencies.push(performance.now() - t0);
      reported += finished.length;
      Object.assign(id, { hostId: reply.hostId, authenticator: reply.authenticator });
      if (reply.instances.length === 0 && finished.length === 0) break;
      finished = reply.instances.map((inst) => {
        const { bundle, report } = output(inst.workUnit);
        writeFileSync(join(paths.uploads, inst.name), bundle);
        return { instance: inst.name, ...report };
      });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  store.close();
  return { reported, seconds, latencies };
}

export async function schedulerBench(dir: string, wasmPath: string): Promise<void> {
  console.log(`scheduler: ${WORK_UNITS} work units (quorum 1), ${VOLUNTEERS} synthetic volunteers of ${CORES} cores (goal: 1,000 instances per second)`);
  print(`over HTTP (compute serve in its own process, ${IN_FLIGHT} volunteers at once, an upload per instance)`, await overHttp(dir, wasmPath));
  print('core (handler and SQLite in this process, no HTTP, one call at a time)', await schedulerCore(dir, wasmPath));
}
