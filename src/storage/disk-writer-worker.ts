// The thread of `disk-writer.ts`: takes write jobs in order and makes each with synchronous positional writes of at
// most WRITE_CALL_BYTES (writeAll). Every job is answered, with the system error code on failure.
import { parentPort } from 'node:worker_threads';
import { writeAll } from '../util/write-all.js';
import type { WriteAnswer, WriteJob } from './disk-writer.js';

parentPort!.on('message', (job: WriteJob) => {
  let answer: WriteAnswer;
  try {
    writeAll(job.fd, job.data, job.position);
    answer = { id: job.id, ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    answer = { id: job.id, ok: false, code: e.code ?? 'EIO', message: e.message };
  }
  parentPort!.postMessage(answer);
});
