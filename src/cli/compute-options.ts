/** Option parsing for `tandem compute submit`: durations, replication and bounds, and the JSON job file. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SubmitSpec } from '../compute/index.js';
import { TandemError } from '../util/errors.js';
import { parseBytes } from './units.js';

const usage = (message: string): TandemError => new TandemError('CLI_USAGE', message, 'input');

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1h`, `30s`, `500ms`, `2d` (a bare number is seconds) to milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2] ?? 's']! : NaN;
  if (!(ms > 0 && ms <= 365 * 86_400_000)) throw usage(`${option}: "${text}" is not a duration (examples: 30s, 10m, 1h, 2d)`);
  return Math.round(ms);
}

function whole(value: unknown, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw usage(`${option}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** The submit options a work unit may set, from flags or from one entry of a job file (same names). */
export interface WorkUnitOptions {
  name?: string;
  quorum?: string | number;
  target?: string | number;
  maxErrors?: string | number;
  maxTotal?: string | number;
  deadline?: string;
  cpuSeconds?: string | number;
  memory?: string | number;
  outputMax?: string | number;
}

export function toSubmitSpec(app: string, inputs: string[], o: WorkUnitOptions): SubmitSpec {
  const quorum = whole(o.quorum, '--quorum', 1, 16);
  const target = whole(o.target, '--target', 1, 32) ?? quorum;
  const replication: SubmitSpec['replication'] = {};
  if (quorum !== undefined) replication.minQuorum = quorum;
  if (target !== undefined) replication.targetNResults = target;
  const maxErrors = whole(o.maxErrors, '--max-errors', 0, 100);
  if (maxErrors !== undefined) replication.maxErrorResults = maxErrors;
  const maxTotal = whole(o.maxTotal, '--max-total', 1, 100);
  if (maxTotal !== undefined) replication.maxTotalResults = maxTotal;
  else if (target !== undefined) replication.maxTotalResults = Math.max(target * 2 + 2, 8);
  if (o.deadline !== undefined) replication.delayBoundMs = parseDuration(String(o.deadline), '--deadline');
  const bounds: SubmitSpec['bounds'] = {};
  if (o.cpuSeconds !== undefined) {
    const s = Number(o.cpuSeconds);
    if (!(s > 0 && s <= 86_400 * 30)) throw usage(`--cpu-seconds: "${o.cpuSeconds}" is not a number of seconds`);
    bounds.cpuSeconds = s;
  }
  if (o.memory !== undefined) bounds.memoryBytes = parseBytes(String(o.memory), '--memory');
  if (o.outputMax !== undefined) bounds.outputBytes = parseBytes(String(o.outputMax), '--output-max');
  const spec: SubmitSpec = { app, inputs, replication, bounds };
  if (o.name !== undefined) spec.name = o.name;
  return spec;
}

/**
 * A job file: `{ "workUnits": [ { "app": "sum", "inputs": ["a.txt"], "quorum": 2, "deadline": "1h" }, ... ] }`,
 * input paths relative to the file. Bounded, and every entry checked before anything is submitted.
 */
export async function readJobFile(path: string, defaultApp: string | undefined): Promise<SubmitSpec[]> {
  const text = await readFile(path, 'utf8').catch((err: Error) => {
    throw usage(`--jobs: cannot read ${path}: ${err.message}`);
  });
  if (text.length > 16 * 1024 * 1024) throw usage('--jobs: the file is larger than 16 MiB');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw usage(`--jobs: ${path} is not JSON`);
  }
  const list = (doc as { workUnits?: unknown }).workUnits;
  if (!Array.isArray(list) || list.length === 0 || list.length > 100_000) throw usage('--jobs: expected {"workUnits": [ ... ]} with 1 to 100000 entries');
  const base = dirname(resolve(path));
  return list.map((entry: unknown, n) => {
    if (typeof entry !== 'object' || entry === null) throw usage(`--jobs: entry ${n} is not an object`);
    const e = entry as WorkUnitOptions & { app?: unknown; inputs?: unknown };
    const app = typeof e.app === 'string' ? e.app : defaultApp;
    if (!app) throw usage(`--jobs: entry ${n} names no app (and no --app was given)`);
    if (!Array.isArray(e.inputs) || !e.inputs.every((i) => typeof i === 'string')) throw usage(`--jobs: entry ${n} needs "inputs": [paths]`);
    return toSubmitSpec(app, (e.inputs as string[]).map((i) => resolve(base, i)), e);
  });
}
