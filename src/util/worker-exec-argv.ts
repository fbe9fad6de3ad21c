/**
 * The Node options a worker thread is started with: the process's own, less those that only make sense for the main
 * script. A process run as `node --input-type=module -e ...` (a library user, the benchmarks) would otherwise pass
 * `--input-type` on, and every worker dies at start with "--input-type can only be used with string input".
 */
export function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--input-type'));
}
