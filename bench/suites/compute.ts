// `tandem compute`: scheduler throughput with many synthetic volunteers on loopback (instances dispatched and
// reported per second, p50 and p99 of the scheduler call), the sandbox's overhead per work unit against the
// same module run in this process, and what the files server sends to give one large input to 8 volunteers with
// and without the swarm.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addApplication, ComputeServer, encodeBundle, generateSigningKeys, openProject, runSandboxed, submitWorkUnit, Volunteer, writeKeys } from '../../src/compute/index.js';
import { ProcExit, Wasi } from '../../src/compute/sandbox/wasi.js';
import { Wasm, type WasmMemory } from '../../src/compute/sandbox/wasm-api.js';
import { schedulerCall, uploadOutput } from '../../src/compute/transfer.js';
import { handleScheduler } from '../../src/compute/scheduler.js';
import type { FinishedReport } from '../../src/compute/protocol.js';

const WAT = fileURLToPath(new URL('../../../test/fixtures/compute/checksum.wat', import.meta.url));
const WORK_UNITS = Number(process.env.BENCH_COMPUTE_WUS ?? 3000);
const VOLUNTEERS = Number(process.env.BENCH_COMPUTE_VOLUNTEERS ?? 64);
const IN_FLIGHT = 16;

function compile(dir: string): string {
  const out = join(dir, 'checksum.wasm');
  const r = spawnSync('wat2wasm', [WAT, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wat2wasm (Debian package wabt) failed or is missing: ${r.stderr ?? r.error}`);
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function schedulerThroughput(dir: string, wasmPath: string): Promise<void> {
  const { paths, store } = await openProject(join(dir, 'proj'), { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  await addApplication(paths, store, 'sum', wasmPath, paths.privateKey, Date.now());
  writeFileSync(join(dir, 'in'), 'x');
  for (let n = 0; n < WORK_UNITS; n++) await submitWorkUnit(paths, store, { name: `w${n}`, app: 'sum', inputs: [join(dir, 'in')], replication: { minQuorum: 1, targetNResults: 1 } }, Date.now());
  store.close();
  const server = new ComputeServer({ projectDir: paths.root, port: 0 });
  const { url } = await server.start();
  const latencies: number[] = [];
  let reported = 0;
  const started = performance.now();
  const volunteer = async (k: number): Promise<void> => {
    const id = { hostId: null as number | null, authenticator: null as string | null };
    let finished: { instance: string; status: 'success'; reason: null; outputSha256: string; outputBytes: number; cpuSeconds: number; elapsedSeconds: number }[] = [];
    for (let round = 0; round < 10_000; round++) {
      const t0 = performance.now();
      const reply = await schedulerCall(url, { ...id, userName: `u${k}`, cores: 4, memoryBytes: 1 << 30, gflops: 1, wasmFeatures: [], workSeconds: 1000, finished, inProgress: [] });
      latencies.push(performance.now() - t0);
      reported += finished.length;
      Object.assign(id, { hostId: reply.hostId, authenticator: reply.authenticator });
      if (reply.instances.length === 0 && finished.length === 0) return;
      finished = [];
      for (const inst of reply.instances) {
        const bundle = encodeBundle(new Map([['<stdout>', Buffer.from(`result of ${inst.workUnit}\n`)]]));
        await uploadOutput(url, inst.name, inst.permit, bundle);
        finished.push({ instance: inst.name, status: 'success', reason: null, outputSha256: createHash('sha256').update(bundle).digest('hex'), outputBytes: bundle.length, cpuSeconds: 0.1, elapsedSeconds: 0.1 });
      }
    }
  };
  const queue = Array.from({ length: VOLUNTEERS }, (_, k) => k);
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    for (let k = queue.shift(); k !== undefined; k = queue.shift()) await volunteer(k);
  }));
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  latencies.sort((a, b) => a - b);
  console.log(`scheduler: ${WORK_UNITS} work units (quorum 1), ${VOLUNTEERS} synthetic volunteers, ${IN_FLIGHT} at once, each call with an upload per instance`);
  console.log(`  ${reported} instances dispatched and reported in ${seconds.toFixed(1)} s: ${(reported / seconds).toFixed(0)} per second`);
  console.log(`  scheduler call p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length} calls)`);
}

/** The scheduler alone: the same calls made directly on the handler and its SQLite store, without HTTP. */
export async function schedulerCore(dir: string, wasmPath: string): Promise<void> {
  const { paths, store } = await openProject(join(dir, 'core'), { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  await addApplication(paths, store, 'sum', wasmPath, paths.privateKey, Date.now());
  writeFileSync(join(dir, 'in'), 'x');
  for (let n = 0; n < WORK_UNITS; n++) await submitWorkUnit(paths, store, { name: `w${n}`, app: 'sum', inputs: [join(dir, 'in')], replication: { minQuorum: 1, targetNResults: 1 } }, Date.now());
  const ctx = { store, uploadsDir: paths.uploads, permitSecret: store.permitSecret() };
  const latencies: number[] = [];
  let reported = 0;
  const started = performance.now();
  for (let k = 0; k < VOLUNTEERS; k++) {
    const id = { hostId: null as number | null, authenticator: null as string | null };
    let finished: FinishedReport[] = [];
    for (let round = 0; round < 10_000; round++) {
      const t0 = performance.now();
      const reply = await handleScheduler(ctx, { ...id, userName: null, cores: 4, memoryBytes: 1 << 30, gflops: 1, wasmFeatures: [], workSeconds: 1000, finished, inProgress: [] }, Date.now());
      latencies.push(performance.now() - t0);
      reported += finished.length;
      Object.assign(id, { hostId: reply.hostId, authenticator: reply.authenticator });
      if (reply.instances.length === 0 && finished.length === 0) break;
      finished = reply.instances.map((inst) => {
        const bundle = encodeBundle(new Map([['<stdout>', Buffer.from(`result of ${inst.workUnit}\n`)]]));
        writeFileSync(join(paths.uploads, inst.name), bundle);
        return { instance: inst.name, status: 'success', reason: null, outputSha256: createHash('sha256').update(bundle).digest('hex'), outputBytes: bundle.length, cpuSeconds: 0.1, elapsedSeconds: 0.1 };
      });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  store.close();
  latencies.sort((a, b) => a - b);
  console.log(`scheduler core (handler and SQLite, no HTTP, one call at a time): ${reported} instances in ${seconds.toFixed(1)} s: ${(reported / seconds).toFixed(0)} per second; call p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);
}

/** The module run in this process with the same in-memory WASI: the baseline without a sandbox process. */
async function runLocal(wasm: Buffer, input: Buffer): Promise<number> {
  const t0 = performance.now();
  const wasi = new Wasi({ args: ['app'], env: {}, inputs: new Map([['in', input]]), stdin: input, seed: Buffer.alloc(32), outputBytes: 1 << 20, stderrBytes: 65536 });
  const module = await Wasm.compile(wasm);
  const names = Wasm.Module.imports(module).map((i) => i.name);
  const instance = await Wasm.instantiate(module, { wasi_snapshot_preview1: wasi.imports(names) });
  wasi.memory = instance.exports['memory'] as WasmMemory;
  try {
    (instance.exports['_start'] as () => void)();
  } catch (err) {
    if (!(err instanceof ProcExit)) throw err;
  }
  return (performance.now() - t0) / 1000;
}

async function sandboxOverhead(wasmPath: string): Promise<void> {
  const wasm = readFileSync(wasmPath);
  // Ten million rounds per unit of the first input byte; calibrated so the local run takes about the target.
  const unit = await runLocal(wasm, Buffer.from([10]));
  console.log('sandbox overhead per work unit (best of 3), against the same module run in this process:');
  // The module's rounds come from one input byte, so about 3 s is its longest run: the 10 s row is that.
  for (const target of [0.1, 1, 10]) {
    const byte = Math.max(1, Math.min(255, Math.round((target / unit) * 10)));
    const input = Buffer.from([byte]);
    let local = Infinity;
    let boxed = Infinity;
    for (let r = 0; r < (target >= 10 ? 1 : 3); r++) {
      local = Math.min(local, await runLocal(wasm, input));
      const s = await runSandboxed({ wasm, inputs: [['in', input]], stdinName: 'in', seed: Buffer.alloc(32), bounds: { cpuSeconds: 120, memoryBytes: 1 << 20, outputBytes: 1 << 20 } });
      if (s.status !== 'success') throw new Error(`sandbox run failed: ${s.reason}`);
      boxed = Math.min(boxed, s.elapsedSeconds);
    }
    console.log(`  ~${Math.min(target, (255 / 10) * unit).toFixed(1)} s: local ${local.toFixed(3)} s, sandboxed ${boxed.toFixed(3)} s, overhead ${((boxed - local) * 1000).toFixed(0)} ms (${(boxed / local).toFixed(2)}×)`);
  }
}

const SWARM_MB = Number(process.env.BENCH_COMPUTE_SWARM_MB ?? 50);
const SWARM_VOLUNTEERS = 8;

/**
 * What the project's files server sends to give one input of SWARM_MB to 8 volunteers, with `--swarm` (one
 * volunteer starting every 2 s, as arrivals spread out) against plain HTTP.
 */
async function swarmBytes(dir: string, wasmPath: string, swarm: boolean): Promise<number> {
  const { paths, store } = await openProject(join(dir, swarm ? 'swarm' : 'plain'), { create: true });
  await writeKeys(paths.privateKey, paths.publicKey, generateSigningKeys());
  await addApplication(paths, store, 'sum', wasmPath, paths.privateKey, Date.now());
  const input = Buffer.alloc(SWARM_MB * 1024 * 1024, 7);
  input[0] = 0;
  writeFileSync(join(dir, 'big'), input);
  await submitWorkUnit(paths, store, { name: 'w', app: 'sum', inputs: [join(dir, 'big')], bounds: { memoryBytes: 1 << 20 }, replication: { minQuorum: SWARM_VOLUNTEERS, targetNResults: SWARM_VOLUNTEERS } }, Date.now());
  const sha = store.workUnitByName('w')!.inputs[0]!.sha256;
  store.close();
  const server = new ComputeServer({ projectDir: paths.root, port: 0, filesPort: 0 });
  const { url, filesUrl } = await server.start();
  try {
    for (let n = 0; n < 600; n++) {
      const res = await fetch(new URL(`${sha}?torrent`, filesUrl));
      await res.body?.cancel();
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ac = new AbortController();
    const runs = [];
    for (let k = 0; k < SWARM_VOLUNTEERS; k++) {
      const v = new Volunteer({ projectUrl: url, stateDir: join(paths.root, `v${k}`), cores: 1, maxInstances: 1, ...(swarm ? { swarm: { listenHost: '127.0.0.1' } } : {}) });
      runs.push(v.run(ac.signal));
      await new Promise((r) => setTimeout(r, 2000));
    }
    await Promise.all(runs);
    const sent = server.filesSent()!;
    return sent.httpBodyBytes + sent.peerBytes;
  } finally {
    await server.stop();
  }
}

export default {
  async run(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-compute-'));
    try {
      const wasm = compile(dir);
      await schedulerThroughput(dir, wasm);
      await schedulerCore(dir, wasm);
      await sandboxOverhead(wasm);
      const plain = await swarmBytes(dir, wasm, false);
      const viaSwarm = await swarmBytes(dir, wasm, true);
      const mib = (n: number): string => (n / 1048576).toFixed(1);
      console.log(`files server, a ${SWARM_MB} MiB input to ${SWARM_VOLUNTEERS} volunteers (one every 2 s): plain HTTP ${mib(plain)} MiB sent, swarm ${mib(viaSwarm)} MiB (${(viaSwarm / plain).toFixed(2)}×)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
