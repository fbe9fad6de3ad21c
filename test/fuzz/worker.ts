// One decoder fuzzed on a worker thread for the watchdog (watchdog.ts): each input is copied into shared memory
// and counted before it is fed.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzTarget } from './harness.js';
import type { FuzzTarget } from './target.js';
import { MAX_WATCHED_INPUT, type WorkerJob, type WorkerMessage } from './watchdog.js';

const job = workerData as WorkerJob;
const counters = new Int32Array(job.state);
const shared = new Uint8Array(job.input);
const { targetNamed } = (await import(job.targets)) as { targetNamed: (name: string) => FuzzTarget | undefined };
const target = targetNamed(job.name);
if (!target) throw new Error(`no fuzz target ${job.name}`);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const result = await fuzzTarget(target, {
  ...job.budget,
  onProgress: (progress) => post({ progress }),
  beforeInput: (input) => {
    const n = Math.min(input.length, MAX_WATCHED_INPUT);
    shared.set(input.subarray(0, n));
    Atomics.store(counters, 1, n);
    Atomics.add(counters, 0, 1);
  },
});
post({ result });
