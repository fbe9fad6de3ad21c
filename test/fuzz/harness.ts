// Runs one fuzz target for a budget of inputs or seconds and collects its failures (see target.ts for what one is).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TandemError } from '../../src/util/errors.js';
import { nextInput, xorshift } from './mutate.js';
import type { FuzzTarget } from './target.js';

export interface FuzzBudget {
  /** Inputs to feed (at most). */
  count: number;
  /** Seconds to spend (at most); 0: no time limit. */
  seconds: number;
  seed: number;
  /** An input the decoder takes longer than this on is a failure (a hang, or cost out of proportion to its size). */
  perInputMs: number;
  onProgress?: (done: number) => void;
  /** Called with each input before it is fed (the watchdog keeps it, to save the one a decoder never returns from). */
  beforeInput?: (input: Buffer) => void;
}

export interface FuzzFailure {
  input: Buffer;
  message: string;
}

export interface FuzzResult {
  name: string;
  inputs: number;
  accepted: number;
  rejected: number;
  /** Distinct failures, by message first line (the first input kept for each). */
  failures: FuzzFailure[];
  ms: number;
}

/** Feeds one input; undefined when it was accepted or rejected with a typed error, else what went wrong. */
export async function feed(target: FuzzTarget, input: Buffer, perInputMs: number): Promise<{ accepted: boolean } | FuzzFailure> {
  const start = performance.now();
  let accepted: boolean;
  try {
    // `false` from a target that tries several parsers: every one of them refused the input.
    accepted = (await target.run(input)) !== false;
  } catch (err) {
    if (!(err instanceof TandemError)) return { input, message: describe(err) };
    accepted = false;
  }
  const ms = performance.now() - start;
  // A pause of the machine (GC, another process on the cores) is not the decoder's: slow twice running, it is.
  if (ms > perInputMs && (await timed(target, input)) > perInputMs) return { input, message: `slow: ${ms.toFixed(0)} ms on ${input.length} bytes (bound ${perInputMs} ms)` };
  return { accepted };
}

async function timed(target: FuzzTarget, input: Buffer): Promise<number> {
  const start = performance.now();
  try {
    await target.run(input);
  } catch {
    // Its outcome was seen the first time; only its time is measured here.
  }
  return performance.now() - start;
}

/** `Name: message`, then the stack's frames. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return `thrown: ${String(err)}`;
  const frames = (err.stack ?? '').split('\n').filter((l) => l.trimStart().startsWith('at '));
  return [`${err.name}: ${err.message}`, ...frames].join('\n');
}

export async function fuzzTarget(target: FuzzTarget, budget: FuzzBudget): Promise<FuzzResult> {
  const seeds = await target.seeds();
  const next = xorshift(budget.seed ^ hashName(target.name));
  const result: FuzzResult = { name: target.name, inputs: 0, accepted: 0, rejected: 0, failures: [], ms: 0 };
  const seen = new Set<string>();
  const start = performance.now();
  const deadline = budget.seconds > 0 ? start + budget.seconds * 1000 : Infinity;
  // Seeds first: they must be accepted, or the mutations start from nothing useful.
  const inputs = (i: number): Buffer => (i < seeds.length ? seeds[i]! : nextInput(seeds, next, target.tokens, target.maxRandomBytes));
  for (let i = 0; i < budget.count; i++) {
    if ((i & 255) === 0) {
      if (performance.now() > deadline) break;
      if (i > 0) budget.onProgress?.(i);
    }
    const input = inputs(i);
    budget.beforeInput?.(input);
    const outcome = await feed(target, input, budget.perInputMs);
    result.inputs++;
    if ('message' in outcome) {
      const key = outcome.message.split('\n')[0]!.replace(/\d+ ms on \d+ bytes/, '');
      if (!seen.has(key)) {
        seen.add(key);
        result.failures.push(outcome);
      }
    } else if (outcome.accepted) result.accepted++;
    else result.rejected++;
  }
  result.ms = performance.now() - start;
  await target.close?.();
  return result;
}

function hashName(name: string): number {
  return createHash('sha1').update(name).digest().readUInt32BE(0);
}

/** Where reproducers live: test/fixtures/fuzz/<decoder>/<hash>.bin, with the failure's message in <hash>.txt. */
export const REPRODUCER_DIR = new URL('../../../test/fixtures/fuzz/', import.meta.url).pathname;

export async function saveReproducer(name: string, failure: FuzzFailure, dir = REPRODUCER_DIR): Promise<string> {
  const hash = createHash('sha256').update(failure.input).digest('hex').slice(0, 16);
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${hash}.bin`);
  await writeFile(path, failure.input);
  await writeFile(join(folder, `${hash}.txt`), failure.message.split('\n').slice(0, 6).join('\n') + '\n');
  return path;
}
