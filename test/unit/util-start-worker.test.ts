import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const MODULE = new URL('../../src/util/start-worker.js', import.meta.url).href;
// A worker that reports the Node options it was started with, then the process reports them on stdout.
const SCRIPT = `
import { startWorker } from ${JSON.stringify(MODULE)};
const body = 'import { parentPort } from "node:worker_threads"; parentPort.postMessage(process.execArgv.filter((a) => a.startsWith("--")));';
const worker = startWorker(new URL('data:text/javascript,' + encodeURIComponent(body)));
worker.once('message', (argv) => { console.log(JSON.stringify(argv)); void worker.terminate(); });
`;

function workerArgv(nodeFlags: string[]): string[] {
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim()) as string[];
}

test("a worker starts with the process's Node options, less --input-type", () => {
  assert.deepEqual(workerArgv(['--no-deprecation']), ['--no-deprecation']);
});

test('a worker still starts when the process has a V8 flag Node refuses in workers (the executable runs with one)', () => {
  // `tandem`'s #! line starts Node with --max-semi-space-size=4: a worker given it is refused at start, so it gets
  // no options at all (V8's flags are the whole process's anyway).
  assert.deepEqual(workerArgv(['--no-deprecation', '--max-semi-space-size=4']), []);
});
