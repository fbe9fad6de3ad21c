// A worker thread that hashes runs of pieces for `hash-pool.ts`. It gets the plan once and then piece ranges.
import { parentPort, workerData } from 'node:worker_threads';
import { hashPieceRange, type HashPlan } from './hash-core.js';
import { PlanFileReader } from './file-reader.js';

const plan = workerData as HashPlan;
const reader = new PlanFileReader(plan);
const scratch = Buffer.allocUnsafe(plan.pieceLengthBytes);

parentPort!.on('message', (job: { first: number; end: number } | null) => {
  if (job === null) {
    reader.close();
    parentPort!.close();
    return;
  }
  try {
    const result = hashPieceRange(plan, job.first, job.end, reader.read, scratch);
    const transfer = [result.sha1.buffer, ...result.leaves.map((l) => l.hashes.buffer)] as ArrayBuffer[];
    parentPort!.postMessage({ ok: true, result }, transfer);
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: (err as Error).message, path: errorPath(err) });
  }
});

function errorPath(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).path;
}
