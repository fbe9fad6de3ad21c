// A worker thread of `hash-pool.ts`. It hashes runs of pieces read from a plan's files (registered once per plan,
// so the file list crosses the thread boundary once), and buffers it is handed (a downloaded piece). Every job
// message carries a job id; the answer carries it back.
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { hashPieceRange, hashPiecesTolerant, type HashPlan } from './hash-core.js';
import { PlanFileReader } from './file-reader.js';
import type { WorkerAnswer, WorkerJob } from './hash-pool.js';

const plans = new Map<number, { plan: HashPlan; reader: PlanFileReader; scratch: Buffer }>();

function answer(msg: Exclude<WorkerJob, { kind: 'drop' }>): { answer: WorkerAnswer; transfer: ArrayBuffer[] } {
  switch (msg.kind) {
    case 'plan':
      plans.set(msg.planId, { plan: msg.plan, reader: new PlanFileReader(msg.plan), scratch: Buffer.allocUnsafe(msg.plan.pieceLengthBytes) });
      return { answer: { job: msg.job, ok: true }, transfer: [] };
    case 'range': {
      const p = plans.get(msg.planId);
      if (!p) throw new Error(`plan ${msg.planId} was not registered`);
      if (msg.tolerant) {
        const result = hashPiecesTolerant(p.plan, msg.first, msg.end, p.reader.read, p.scratch);
        return { answer: { job: msg.job, ok: true, result }, transfer: [result.sha1.buffer as ArrayBuffer, result.missing.buffer as ArrayBuffer] };
      }
      const result = hashPieceRange(p.plan, msg.first, msg.end, p.reader.read, p.scratch);
      return { answer: { job: msg.job, ok: true, result }, transfer: [result.sha1.buffer, ...result.leaves.map((l) => l.hashes.buffer)] as ArrayBuffer[] };
    }
    case 'sha1': {
      const digest = createHash('sha1').update(msg.data).digest();
      // The buffer goes back to its owner the way it came: moved, not copied; shared memory was never moved.
      const shared = msg.data.buffer instanceof SharedArrayBuffer;
      return { answer: { job: msg.job, ok: true, digest, data: shared ? undefined : msg.data }, transfer: shared ? [] : [msg.data.buffer as ArrayBuffer] };
    }
  }
}

parentPort!.on('message', (msg: WorkerJob | null) => {
  if (msg === null) {
    for (const p of plans.values()) p.reader.close();
    plans.clear();
    parentPort!.close();
    return;
  }
  if (msg.kind === 'drop') {
    // Not answered: the pool sends it to a thread that may be busy with another job.
    plans.get(msg.planId)?.reader.close();
    plans.delete(msg.planId);
    return;
  }
  try {
    const { answer: a, transfer } = answer(msg);
    parentPort!.postMessage(a, transfer);
  } catch (err) {
    parentPort!.postMessage({ job: msg.job, ok: false, message: (err as Error).message } satisfies WorkerAnswer);
  }
});
