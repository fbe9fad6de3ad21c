/**
 * Tolerant validation: an application may ship its own comparator, a WebAssembly module the server runs (in the
 * same sandbox as volunteers' instances) on two outputs, given as the input files `a` and `b` (whole output
 * bundles). Exit status 0 means equivalent; anything else (another status, a trap, a bound) means different.
 * Outputs never change once reported, so each pair's answer is kept; equal digests need no run at all.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPUTE_DEFAULTS } from './defaults.js';
import type { Instance } from './model.js';
import { runSandboxed } from './sandbox/sandbox.js';
import type { ComputeStore } from './store.js';
import type { SameOutput } from './validator.js';
import { settleWorkUnit } from './workflow.js';

/** Answers kept per pair of instance ids; bounded, the oldest dropped first. */
const MAX_KEPT = 100_000;

export class ComparatorValidation {
  private readonly answers = new Map<string, boolean>();

  constructor(private readonly store: ComputeStore, private readonly dirs: { uploads: string; files: string }) {}

  /** Validates, with their comparators, every work unit that has new successes waiting. */
  async sweep(nowMs: number): Promise<void> {
    const waiting = this.store.q(`SELECT DISTINCT w.id, a.comparator_sha256 AS comparator FROM workunits w JOIN apps a ON a.id = w.app_id
      JOIN instances i ON i.workunit_id = w.id WHERE a.comparator_sha256 IS NOT NULL AND w.state != 'failed'
      AND i.outcome = 'success' AND i.validate_state = 'init' LIMIT 50`).all() as { id: number; comparator: string }[];
    for (const { id, comparator } of waiting) {
      const same = await this.prepare(id, comparator);
      this.store.tx(() => settleWorkUnit(this.store, id, nowMs, same));
    }
  }

  /** Runs the comparator on every pair the validator may ask about, then answers from the results. */
  private async prepare(workUnitId: number, comparatorSha256: string): Promise<SameOutput> {
    const candidates = this.store.instancesOf(workUnitId).filter((i) => i.outcome === 'success' && i.validateState !== 'invalid');
    const wasm = await readFile(join(this.dirs.files, comparatorSha256));
    for (let x = 0; x < candidates.length; x++) {
      for (let y = x + 1; y < candidates.length; y++) {
        const a = candidates[x]!;
        const b = candidates[y]!;
        if (a.outputSha256 === b.outputSha256 || this.answers.has(pairKey(a, b))) continue;
        this.keep(pairKey(a, b), await this.compare(wasm, a, b));
      }
    }
    return (a, b) => (a.outputSha256 !== null && a.outputSha256 === b.outputSha256) || this.answers.get(pairKey(a, b)) === true;
  }

  private async compare(wasm: Buffer, a: Instance, b: Instance): Promise<boolean> {
    const read = (i: Instance): Promise<Buffer | undefined> => readFile(join(this.dirs.uploads, i.name)).catch(() => undefined);
    const [da, db] = await Promise.all([read(a), read(b)]);
    if (!da || !db) return false;
    const r = await runSandboxed({
      wasm, inputs: [['a', da], ['b', db]], stdinName: null, seed: Buffer.alloc(32), label: `compare:${a.name}:${b.name}`,
      bounds: { cpuSeconds: COMPUTE_DEFAULTS.comparatorCpuSeconds, memoryBytes: COMPUTE_DEFAULTS.comparatorMemoryBytes, outputBytes: 64 * 1024 },
    });
    return r.status === 'success';
  }

  private keep(key: string, same: boolean): void {
    if (this.answers.size >= MAX_KEPT) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(key, same);
  }
}

function pairKey(a: Instance, b: Instance): string {
  return a.id < b.id ? `${a.id}:${b.id}` : `${b.id}:${a.id}`;
}
