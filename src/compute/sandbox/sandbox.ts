/**
 * Runs one instance in a sandbox: a fresh `node` child per run (child.ts) under Node's permission model, with the
 * module checked first (memory maximum within the bound, no shared memory, WASI imports only). The parent samples
 * the child's CPU time from /proc and kills it past the CPU or wall-clock bound; the child enforces the output
 * bound inside its WASI imports. Every ending is a typed result, never a throw, so the volunteer reports it.
 *
 * @example
 *   const r = await runSandboxed({ wasm, inputs: [['in', data]], stdinName: 'in', seed, bounds });
 *   if (r.status === 'success') upload(r.bundle);
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPUTE_DEFAULTS } from '../defaults.js';
import type { Bounds } from '../model.js';
import { isCheckpointName } from './checkpoints.js';
import { checkModule } from './wasm-check.js';
import type { ChildMessage, FailureReason, SandboxJob } from './protocol.js';

export type SandboxResult =
  | { status: 'success'; bundle: Buffer; stderr: Buffer; cpuSeconds: number; elapsedSeconds: number }
  | { status: 'client_error'; reason: FailureReason; message: string; stderr: Buffer; cpuSeconds: number; elapsedSeconds: number };

export interface SandboxRun {
  wasm: Uint8Array;
  inputs: [string, Uint8Array][];
  stdinName: string | null;
  args?: string[];
  env?: Record<string, string>;
  seed: Uint8Array;
  bounds: Bounds;
  signal?: AbortSignal;
  /** Shown in the child's command line (the instance name). */
  label?: string;
  /** Checkpoint files an earlier run of this instance saved (checkpoints.ts). */
  checkpoints?: [string, Uint8Array][];
  /** Called with each checkpoint file the module saves, to be kept for a later run. */
  onCheckpoint?: (name: string, data: Buffer) => void;
}

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
// The child may read tandem's compiled code and nothing else (the package.json that says it is ESM included).
const CODE_ROOT = dirname(dirname(dirname(dirname(CHILD))));
const STDERR_BYTES = 64 * 1024;

/** CPU seconds a process has used, from /proc (Linux); null where there is no /proc. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // proc(5): utime and stime are fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function runSandboxed(run: SandboxRun): Promise<SandboxResult> {
  const started = performance.now();
  const fail = (reason: FailureReason, message: string, cpuSeconds = 0, stderr = Buffer.alloc(0)): SandboxResult => ({
    status: 'client_error', reason, message, stderr, cpuSeconds, elapsedSeconds: (performance.now() - started) / 1000,
  });
  try {
    checkModule(run.wasm, run.bounds.memoryBytes);
  } catch (err) {
    return fail('refused', (err as Error).message);
  }
  const job: SandboxJob = {
    wasm: run.wasm, args: run.args ?? ['app'], env: run.env ?? {}, inputs: run.inputs, stdinName: run.stdinName, seed: run.seed,
    memoryBytes: run.bounds.memoryBytes, outputBytes: run.bounds.outputBytes, stderrBytes: STDERR_BYTES, checkpoints: run.checkpoints ?? [],
  };
  // The label only names the child in `ps`, so an operator (or a test) can tell which instance it runs.
  const child = fork(CHILD, run.label ? [run.label] : [], {
    execArgv: ['--no-warnings', '--experimental-permission', `--allow-fs-read=${CODE_ROOT}/*`, '--allow-worker', `--max-old-space-size=${COMPUTE_DEFAULTS.childHeapMiB}`],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {},
  });
  const stderrTail: Buffer[] = [];
  child.stderr!.on('data', (d: Buffer) => stderrTail.length < 16 && stderrTail.push(d));
  const outcome = await supervise(child, job, run);
  const extra = Buffer.concat(stderrTail);
  if (outcome.kind === 'killed') return fail(outcome.reason, outcome.message, outcome.cpuSeconds, extra);
  const msg = outcome.msg;
  const elapsedSeconds = (performance.now() - started) / 1000;
  if (msg.type === 'done') {
    // The child is tandem's code, yet its answer is checked like any other: the bound holds here too.
    if (msg.bundle.length > run.bounds.outputBytes + 64 * 1024) return fail('output_limit', 'output beyond its bound', outcome.cpuSeconds);
    return { status: 'success', bundle: Buffer.from(msg.bundle), stderr: Buffer.from(msg.stderr), cpuSeconds: outcome.cpuSeconds, elapsedSeconds };
  }
  if (msg.type === 'failed') return fail(msg.reason, msg.message, outcome.cpuSeconds, Buffer.from(msg.stderr));
  return fail('crashed', 'unexpected message from the sandbox', outcome.cpuSeconds);
}

type Supervised = { kind: 'message'; msg: ChildMessage; cpuSeconds: number } | { kind: 'killed'; reason: FailureReason; message: string; cpuSeconds: number };

/** Sends the job once the child is up, and watches CPU, wall time and exit until one of them ends the run. */
function supervise(child: ChildProcess, job: SandboxJob, run: SandboxRun): Promise<Supervised> {
  const cpuLimit = run.bounds.cpuSeconds;
  const wallLimitMs = cpuLimit * 1000 * COMPUTE_DEFAULTS.wallPerCpuFactor + COMPUTE_DEFAULTS.childStartTimeoutMs;
  return new Promise((resolve) => {
    let baseline = 0;
    let cpu = 0;
    let settled = false;
    const finish = (value: Supervised): void => {
      if (settled) return;
      settled = true;
      clearInterval(sampler);
      clearTimeout(wall);
      run.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(value);
    };
    const kill = (reason: FailureReason, message: string): void => finish({ kind: 'killed', reason, message, cpuSeconds: cpu });
    const onAbort = (): void => kill('crashed', 'aborted');
    run.signal?.addEventListener('abort', onAbort);
    const wall = setTimeout(() => kill('wall_limit', `wall-clock time beyond ${wallLimitMs} ms`), wallLimitMs);
    const sampler = setInterval(() => {
      void processCpuSeconds(child.pid ?? -1).then((s) => {
        if (s === null || settled) return;
        cpu = Math.max(0, s - baseline);
        if (cpu > cpuLimit) kill('cpu_limit', `CPU time beyond ${cpuLimit} s`);
      });
    }, COMPUTE_DEFAULTS.cpuSampleIntervalMs);
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'ready') {
        // Node's own start-up is not the module's CPU time.
        void processCpuSeconds(child.pid ?? -1).then((s) => {
          baseline = s ?? 0;
          child.send(job);
        });
        return;
      }
      if (msg.type === 'checkpoint') {
        // The child is not trusted more than its module: a checkpoint it names wrongly is dropped.
        if (isCheckpointName(msg.name) && msg.data.length <= run.bounds.outputBytes) run.onCheckpoint?.(msg.name, Buffer.from(msg.data));
        return;
      }
      void processCpuSeconds(child.pid ?? -1).then((s) => finish({ kind: 'message', msg, cpuSeconds: s === null ? cpu : Math.max(0, s - baseline) }));
    });
    child.on('exit', (code, sig) => {
      // Give a message sent just before the exit the chance to arrive first.
      // V8 aborts the process when its heap is exhausted (SIGABRT, or status 134 through a shell).
      const outOfMemory = sig === 'SIGABRT' || code === 134;
      setTimeout(() => kill(outOfMemory ? 'memory_limit' : 'crashed', `sandbox child ended (${sig ?? code})`), 20);
    });
    child.on('error', (err) => kill('crashed', err.message));
  });
}
