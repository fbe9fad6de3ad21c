import type { Worker } from 'node:worker_threads';
import { loadPackage } from './load-module.js';

/** The Node options workers start with: the process's own while Node takes them, none once it has refused them. */
let execArgv: string[] | undefined;

/**
 * Starts one of tandem's worker threads (the disk writer, the hash pool) with the process's Node options, so that
 * flags such as `--cpu-prof` reach them too, less those that only make sense for the main script: a process run as
 * `node --input-type=module -e ...` (a library user, the benchmarks) would pass `--input-type` on, and the worker
 * would die at start with "--input-type can only be used with string input".
 *
 * Node refuses V8's flags in a worker's options (they are the whole process's already, so the worker has them
 * anyway), and the `tandem` executable itself starts Node with one (`--max-semi-space-size=4`, its `#!` line): the
 * first worker is then started again with no options, and so is every later one. `node:worker_threads` is loaded
 * here, on the first start, not by every command.
 */
export function startWorker(script: URL): Worker {
  const { Worker } = loadPackage<typeof import('node:worker_threads')>('node:worker_threads');
  const own = execArgv ?? process.execArgv.filter((a) => !a.startsWith('--input-type'));
  try {
    const worker = new Worker(script, { execArgv: own });
    execArgv = own;
    return worker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    execArgv = [];
    return new Worker(script, { execArgv });
  }
}
