// Mid-run checkpoints: a module saves its state in a file named `checkpoint`; the sandbox hands each saved file to
// its parent, never puts it in the output, and gives it back to a later run, which continues from it. At a real
// `tandem compute join` killed with kill -9 mid-instance, the slot's checkpoint survives and the restarted
// volunteer continues from it, with the same output as an uninterrupted run.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ComputeServer, decodeBundle, runSandboxed } from '../../src/compute/index.js';
import { fixtureWasm, sandboxPids } from '../helpers/compute.js';
import { until } from '../helpers/daemon.js';
import { startProcess, tandem, TANDEM_ARGV, waitForLine } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';

/** The steps module's stdin: the number of steps and the mixing rounds of each. */
function stepsInput(steps: number, rounds: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(steps, 0);
  b.writeUInt32LE(rounds, 4);
  return b;
}

const bounds = { cpuSeconds: 60, memoryBytes: 1 << 16, outputBytes: 1 << 16 };

async function runSteps(wasm: Buffer, input: Buffer, checkpoints: [string, Buffer][] = []): Promise<{ stdout: string; stderr: string; saved: [string, Buffer][]; files: string[] }> {
  const saved: [string, Buffer][] = [];
  const r = await runSandboxed({ wasm, inputs: [['in', input]], stdinName: 'in', seed: Buffer.alloc(32), bounds, checkpoints, onCheckpoint: (n, d) => saved.push([n, d]) });
  assert.equal(r.status, 'success', r.status === 'client_error' ? `${r.reason}: ${r.message}` : '');
  if (r.status !== 'success') throw new Error('unreachable');
  const files = decodeBundle(r.bundle);
  return { stdout: files.get('<stdout>')!.toString(), stderr: r.stderr.toString(), saved, files: [...files.keys()] };
}

describe('compute: mid-run checkpoints', () => {
  it('the sandbox hands over each checkpoint, keeps it out of the output, and a later run continues from it', { timeout: 60_000 }, async () => {
    const wasm = fixtureWasm('steps');
    const input = stepsInput(10, 1000);
    const whole = await runSteps(wasm, input);
    assert.match(whole.stderr, /start step 00000000/);
    assert.deepEqual(whole.files, ['<stdout>'], 'a checkpoint file is not output');
    assert.equal(whole.saved.length, 10, 'one checkpoint per step');
    assert.deepEqual(whole.saved.map(([n, d]) => [n, d.readUInt32LE(0)]), Array.from({ length: 10 }, (_, k) => ['checkpoint', k + 1]));
    // A run given the checkpoint of step 4 starts there and ends with the same bytes.
    const resumed = await runSteps(wasm, input, [whole.saved[3]!]);
    assert.match(resumed.stderr, /start step 00000004/);
    assert.equal(resumed.saved.length, 6);
    assert.equal(resumed.stdout, whole.stdout);
    // A file that only looks like a checkpoint is not given to the module.
    const ignored = await runSteps(wasm, input, [['../checkpoint', whole.saved[3]![1]]]);
    assert.match(ignored.stderr, /start step 00000000/);
  });

  it('a volunteer killed with kill -9 keeps the slot checkpoint, and after its restart the instance continues from it', { timeout: 180_000 }, async (t) => {
    const dir = await tempDir(t, 'tandem-compute-');
    const proj = join(dir, 'proj');
    const wasm = fixtureWasm('steps');
    await writeFile(join(dir, 'steps.wasm'), wasm);
    // About 3 s of work in 100 steps on an idle machine.
    const input = stepsInput(100, 25_000_000);
    await writeFile(join(dir, 'in'), input);
    for (const args of [['keygen', proj], ['app', proj, '--name', 'steps', '--wasm', join(dir, 'steps.wasm')],
      ['submit', proj, '--app', 'steps', '--input', join(dir, 'in'), '--name', 'long', '--quorum', '1', '--deadline', '120s', '--memory', '64KiB']]) {
      const r = await tandem(['compute', ...args], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
    }
    const server = new ComputeServer({ projectDir: proj, host: '127.0.0.1', port: 0 });
    const { url } = await server.start();
    t.after(() => server.stop());
    const state = join(dir, 'v');
    const args = [...TANDEM_ARGV, 'compute', 'join', url, '--cores', '1', '--state-dir', state, '--json'];
    const first = startProcess(t, process.execPath, args);
    const checkpoint = join(state, 'slots', 'long_0', 'checkpoint', 'checkpoint');
    const step = await until('the slot has a checkpoint past step 10', async () => {
      const n = (await readFile(checkpoint).catch(() => undefined))?.readUInt32LE(0);
      return n !== undefined && n >= 10 ? n : undefined;
    }, 60_000, 50);
    first.kill('SIGKILL');
    await until('the orphaned sandbox exited', async () => ((await sandboxPids('long_0')).length === 0 ? true : undefined), 5_000);
    assert.ok(step < 100, 'killed before the end');
    const second = startProcess(t, process.execPath, args);
    const resumed = await waitForLine(second, /"type":"resumed","name":"long_0","checkpoints":\["checkpoint"\]/, 20_000);
    assert.ok(resumed);
    const stdoutFile = join(proj, 'results', 'long', 'stdout');
    const result = await until('the result was assimilated', () => readFile(stdoutFile, 'utf8').catch(() => undefined), 120_000, 200);
    const whole = await runSteps(wasm, input);
    assert.equal(result, whole.stdout, 'the resumed run gives the bytes of an uninterrupted one');
    assert.ok(!(await readdir(join(proj, 'results', 'long'))).some((f) => f.startsWith('checkpoint')));
  });
});
