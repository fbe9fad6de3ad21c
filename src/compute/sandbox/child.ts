/**
 * The sandbox child: runs one WebAssembly module with tandem's in-memory WASI imports and reports its output to
 * the parent over IPC. Started by `sandbox.ts` under Node's permission model (no file reads beyond tandem's own
 * code, no writes, no child processes); the parent holds the time limits and kills this process.
 *
 * The module runs in a worker thread so this thread stays free to notice the parent's death (the IPC channel
 * closes) and exit: a module spinning on the main thread would outlive a `kill -9` of its volunteer.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { checkModule, WASI_MODULE } from './wasm-check.js';
import { OutputLimit } from './bundle.js';
import { ProcExit, Wasi } from './wasi.js';
import type { ChildMessage, SandboxJob } from './protocol.js';
import { Wasm, type WasmMemory } from './wasm-api.js';

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(msg, undefined, {}, () => resolve()));
}

/** The main thread: takes the job, runs it in a worker, relays the answer, and dies with its parent. */
function main(): void {
  process.on('disconnect', () => process.exit(1));
  process.once('message', (job: SandboxJob) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    let answered = false;
    worker.on('message', (msg: ChildMessage) => {
      // A checkpoint is relayed as it comes; any other message is the answer.
      if (msg.type === 'checkpoint') return void send(msg);
      answered = true;
      void send(msg).then(() => process.exit(0));
    });
    worker.once('error', (err) => {
      answered = true;
      const reason = /memory/i.test(err.message) ? 'memory_limit' : 'crashed';
      void send({ type: 'failed', reason, message: err.message, stderr: new Uint8Array() }).then(() => process.exit(0));
    });
    worker.once('exit', () => {
      if (!answered) void send({ type: 'failed', reason: 'crashed', message: 'sandbox worker ended without an answer', stderr: new Uint8Array() }).then(() => process.exit(0));
    });
  });
  void send({ type: 'ready' });
}

async function run(job: SandboxJob): Promise<ChildMessage> {
  const wasm = new Uint8Array(job.wasm);
  try {
    checkModule(wasm, job.memoryBytes);
  } catch (err) {
    return { type: 'failed', reason: 'refused', message: (err as Error).message, stderr: new Uint8Array() };
  }
  const inputs = new Map(job.inputs.map(([n, d]) => [n, new Uint8Array(d)]));
  const stdin = job.stdinName !== null ? (inputs.get(job.stdinName) ?? new Uint8Array()) : new Uint8Array();
  const onCheckpoint = (name: string, data: Uint8Array): void => parentPort!.postMessage({ type: 'checkpoint', name, data } satisfies ChildMessage);
  const checkpoints = job.checkpoints.map(([n, d]): [string, Uint8Array] => [n, new Uint8Array(d)]);
  const wasi = new Wasi({ ...job, inputs, stdin, seed: new Uint8Array(job.seed), checkpoints, onCheckpoint });
  const stderr = (): Uint8Array => Buffer.concat(wasi.stderr);
  let exitCode = 0;
  try {
    const module = await Wasm.compile(wasm);
    const names = Wasm.Module.imports(module).filter((i) => i.module === WASI_MODULE).map((i) => i.name);
    const instance = await Wasm.instantiate(module, { [WASI_MODULE]: wasi.imports(names) });
    wasi.memory = instance.exports['memory'] as WasmMemory;
    (instance.exports['_start'] as () => void)();
  } catch (err) {
    if (err instanceof ProcExit) exitCode = err.exitCode;
    else if (err instanceof OutputLimit) return { type: 'failed', reason: 'output_limit', message: err.message, stderr: stderr() };
    else if (err instanceof RangeError && /memory/i.test(err.message)) return { type: 'failed', reason: 'memory_limit', message: err.message, stderr: stderr() };
    else return { type: 'failed', reason: 'trap', message: (err as Error).message ?? String(err), stderr: stderr() };
  }
  if (exitCode !== 0) return { type: 'failed', reason: 'exit_nonzero', message: `exit status ${exitCode}`, stderr: stderr() };
  return { type: 'done', exitCode, bundle: wasi.out.encode(), stderr: stderr() };
}

if (isMainThread) main();
else void run(workerData as SandboxJob).then((msg) => parentPort!.postMessage(msg));
