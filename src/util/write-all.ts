import { writeSync } from 'node:fs';

/**
 * The most one pwrite carries. Measured on this project's 2-core VM: writing a fresh 1 GiB file in 1 MiB writes cost
 * 1.8-2.3 s of system time, in 64 KiB writes 0.75 s (large writes are backed by large page-cache folios from
 * high-order free memory, which a VM with free page reporting has handed back to its host). Used by the disk writer
 * (storage/disk-writer.ts) and by FTP uploads (ftp/batch-writer.ts).
 */
export const WRITE_CALL_BYTES = 64 * 1024;

/** Makes the whole write, synchronously, with positional writes of at most WRITE_CALL_BYTES, looping over partial ones. */
export function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  // Bounded: each pass writes at least one byte or throws.
  while (done < data.length) {
    const n = writeSync(fd, data, done, Math.min(WRITE_CALL_BYTES, data.length - done), position + done);
    if (n <= 0) throw Object.assign(new Error('wrote 0 bytes'), { code: 'EIO' });
    done += n;
  }
}

/** A write on the calling thread that takes this long means a slow disk (writeback throttling, a slow stick)... */
export const SLOW_WRITE_MS = 20;

/**
 * ...when it happens this many times in a row. One slow write alone is no proof: a process that the scheduler
 * preempts in the middle of a 100 µs write waits as long, and with sixteen peers on two cores (the lab) most
 * processes met one such write and moved their disk writes to a thread for nothing, paying a Worker's start-up
 * (about 70 ms of CPU) and a message per write. A slow disk makes every write wait: it is seen at the second.
 */
export const SLOW_WRITES_IN_A_ROW = 2;

/** Whether writes made on the calling thread have met a slow disk: its owner then sends later writes to a thread. */
export class DiskPace {
  private slowInARow = 0;

  constructor(public slow = false) {}

  /** Notes how long one write on the calling thread took. */
  note(ms: number, slowMs = SLOW_WRITE_MS): void {
    this.slowInARow = ms >= slowMs ? this.slowInARow + 1 : 0;
    if (this.slowInARow >= SLOW_WRITES_IN_A_ROW) this.slow = true;
  }
}

/**
 * `writeAll` on the calling thread, timed into `pace` (failed or not), so a slow disk stalls the event loop twice at
 * most. `now` is the clock in ms.
 */
export function writeAllTimed(fd: number, data: Uint8Array, position: number, pace: DiskPace, now: () => number, slowMs = SLOW_WRITE_MS): void {
  const start = now();
  try {
    writeAll(fd, data, position);
  } finally {
    pace.note(now() - start, slowMs);
  }
}
