// The thread of `disk-writer.ts`: takes write jobs in order and makes each with synchronous positional writes of at
// most WRITE_CALL_BYTES, looping over partial writes. Every job is answered, with the system error code on failure.
import { writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { WRITE_CALL_BYTES, type WriteAnswer, type WriteJob } from './disk-writer.js';

function writeAll(job: WriteJob): void {
  const { fd, data, position } = job;
  let done = 0;
  // Bounded: each pass writes at least one byte or throws.
  while (done < data.length) {
    const n = writeSync(fd, data, done, Math.min(WRITE_CALL_BYTES, data.length - done), position + done);
    if (n <= 0) throw Object.assign(new Error('wrote 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

parentPort!.on('message', (job: WriteJob) => {
  let answer: WriteAnswer;
  try {
    writeAll(job);
    answer = { id: job.id, ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    answer = { id: job.id, ok: false, code: e.code ?? 'EIO', message: e.message };
  }
  parentPort!.postMessage(answer);
});
