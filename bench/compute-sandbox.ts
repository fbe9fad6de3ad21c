// The compute bench's sandbox part: the overhead per work unit of running a module in the sandbox (a node child
// and its worker, the WASI shim, IPC) against running the same module in this process with the same WASI shim, for
// work units of about 0.1 s, 1 s and 10 s. The module is test/fixtures/compute/steps.wat: its work is a number of
// steps of a number of rounds, both read from stdin, with a checkpoint written after each step.
import { readFileSync } from 'node:fs';
import { runSandboxed } from '../src/compute/index.js';
import { ProcExit, Wasi } from '../src/compute/sandbox/wasi.js';
import { Wasm, type WasmMemory } from '../src/compute/sandbox/wasm-api.js';

/** The module run in this process with the same in-memory WASI: the baseline without a sandbox process. */
async function runLocal(wasm: Buffer, input: Buffer): Promise<number> {
  const t0 = performance.now();
  const wasi = new Wasi({ args: ['app'], env: {}, inputs: new Map([['in', input]]), stdin: input, seed: Buffer.alloc(32), outputBytes: 1 << 20, stderrBytes: 65536 });
  const module = await Wasm.compile(wasm);
  const names = Wasm.Module.imports(module).map((i) => i.name);
  const instance = await Wasm.instantiate(module, { wasi_snapshot_preview1: wasi.imports(names) });
  wasi.memory = instance.exports['memory'] as WasmMemory;
  try {
    (instance.exports['_start'] as () => void)();
  } catch (err) {
    if (!(err instanceof ProcExit)) throw err;
  }
  return (performance.now() - t0) / 1000;
}

function stepsInput(steps: number, rounds: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(steps, 0);
  b.writeUInt32LE(Math.min(0xffffffff, Math.max(1, Math.round(rounds))), 4);
  return b;
}

export async function sandboxBench(stepsWasmPath: string): Promise<void> {
  const wasm = readFileSync(stepsWasmPath);
  const calibrationRounds = 200_000_000;
  const perRound = (await runLocal(wasm, stepsInput(1, calibrationRounds))) / calibrationRounds;
  console.log('sandbox overhead per work unit (best of 3, the two runs alternating), against the same module run in this process:');
  for (const target of [0.1, 1, 10]) {
    // One step per second of work at most, so the rounds of a step fit in 32 bits.
    const steps = Math.max(1, Math.round(target));
    const input = stepsInput(steps, target / steps / perRound);
    let local = Infinity;
    let boxed = Infinity;
    for (let r = 0; r < 3; r++) {
      local = Math.min(local, await runLocal(wasm, input));
      const s = await runSandboxed({ wasm, inputs: [['in', input]], stdinName: 'in', seed: Buffer.alloc(32), bounds: { cpuSeconds: 120, memoryBytes: 1 << 16, outputBytes: 1 << 20 } });
      if (s.status !== 'success') throw new Error(`sandbox run failed: ${s.reason}`);
      boxed = Math.min(boxed, s.elapsedSeconds);
    }
    console.log(`  ${target} s unit (${steps} step${steps > 1 ? 's' : ''}, each checkpointed): local ${local.toFixed(3)} s, sandboxed ${boxed.toFixed(3)} s, overhead ${((boxed - local) * 1000).toFixed(0)} ms (${(boxed / local).toFixed(2)}×)`);
  }
}
