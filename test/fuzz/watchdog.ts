// A decoder that loops forever never returns to the harness, so the per-input bound cannot see it. Here each
// decoder is fuzzed on a worker thread that writes every input into shared memory before feeding it; when the
// worker's input count stops moving for `hangMs`, the thread is terminated (which stops even a tight loop) and
// the input it was stuck on is the failure.
import { Worker } from 'node:worker_threads';
import type { FuzzBudget, FuzzResult } from './harness.js';

/** The largest input kept for a hang (mutations grow seeds by a few hundred bytes at most). */
export const MAX_WATCHED_INPUT = 4 * 1024 * 1024;

export interface WorkerJob {
  /** The module (a file URL) whose `targetNamed` gives the target. */
  targets: string;
  name: string;
  budget: Omit<FuzzBudget, 'onProgress' | 'beforeInput'>;
  /** [inputs begun, length of the current input] and the current input's bytes. */
  state: SharedArrayBuffer;
  input: SharedArrayBuffer;
}

export type WorkerMessage = { progress: number } | { result: FuzzResult };

export async function fuzzWatched(job: Omit<WorkerJob, 'state' | 'input'>, hangMs: number, onProgress?: (done: number) => void): Promise<FuzzResult> {
  const state = new SharedArrayBuffer(8);
  const input = new SharedArrayBuffer(MAX_WATCHED_INPUT);
  const counters = new Int32Array(state);
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { ...job, state, input } satisfies WorkerJob });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let seen = -1;
    let since = performance.now();
    const watch = setInterval(() => {
      const begun = Atomics.load(counters, 0);
      if (begun !== seen) {
        seen = begun;
        since = performance.now();
        return;
      }
      if (performance.now() - since < hangMs) return;
      clearInterval(watch);
      const stuck = Buffer.from(new Uint8Array(input, 0, Atomics.load(counters, 1)));
      void worker.terminate();
      resolve({
        name: job.name, inputs: begun, accepted: 0, rejected: 0, ms: performance.now() - started,
        failures: [{ input: stuck, message: `hang: no answer in ${hangMs} ms on ${stuck.length} bytes (input ${begun})` }],
      });
    }, Math.min(250, hangMs / 4));
    worker.on('message', (m: WorkerMessage) => {
      if ('progress' in m) return onProgress?.(m.progress);
      clearInterval(watch);
      void worker.terminate();
      resolve({ ...m.result, failures: m.result.failures.map((f) => ({ ...f, input: Buffer.from(f.input) })) });
    });
    worker.on('error', (err) => {
      clearInterval(watch);
      reject(err);
    });
  });
}
