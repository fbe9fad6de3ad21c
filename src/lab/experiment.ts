import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNet, destroySync, type LabNet } from './netns.js';
import { ProcessSet } from './processes.js';
import { toCsv, toMarkdown } from './report.js';
import { runMode, sha256File, type RunContext } from './run-mode.js';
import { checkShaping } from './shaping-check.js';
import { traceSection } from './trace-analysis.js';
import { distributionSvg, uploadPlotName, uploadSvg } from './svg.js';
import type { LabParams, RunRecord, ShapingResult } from './types.js';
import { formatRate } from './units.js';

export interface LabEvents {
  /** A line of progress for people. */
  progress(text: string): void;
  /** A run finished. */
  run(record: RunRecord): void;
  shaping(result: ShapingResult): void;
}

export interface LabOutcome {
  runs: RunRecord[];
  shaping: ShapingResult[];
  files: string[];
}

/** A file of random bytes, written in 1 MiB chunks. */
async function makeFile(path: string, size: number): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024);
  const parts: Buffer[] = [];
  for (let off = 0; off < size; off += chunk.length) parts.push(Buffer.from(randomFillSync(chunk).subarray(0, Math.min(chunk.length, size - off))));
  await writeFile(path, Buffer.concat(parts));
}

/** The outputs of a lab: runs.csv, report.md and the plots; returns the files written. */
export async function writeOutputs(out: string, params: LabParams, runs: RunRecord[], shaping: ShapingResult[], notes: string[], command: string, sections: string[] = [], simulated = false): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const plots = ['distribution.svg'];
  await writeFile(join(out, 'runs.csv'), toCsv(runs));
  const title = `${simulated ? 'Simulated' : 'Measured'}: ${(params.sizeBytes / 1048576).toFixed(0)} MiB, server ${formatRate(params.serverUpBps)}, clients ${formatRate(params.clientUpBps)} up`;
  await writeFile(join(out, 'distribution.svg'), distributionSvg(params, runs, title));
  const nMax = Math.max(...params.clients);
  for (const mode of params.modes) {
    const run = runs.find((r) => r.mode === mode && r.clients === nMax && r.series);
    if (!run?.series) continue;
    const name = uploadPlotName(mode, nMax);
    await writeFile(join(out, name), uploadSvg(run.series, `${mode}, N = ${nMax}, rep ${run.rep}: upload of each host`, { serverBps: params.serverUpBps, clientBps: params.clientUpBps }));
    plots.push(name);
  }
  await writeFile(join(out, 'report.md'), toMarkdown({ params, runs, shaping, notes, plots, command, sections, simulated }));
  return ['runs.csv', 'report.md', ...plots].map((f) => join(out, f));
}

/**
 * The whole measured lab: the hosts for the largest N, the shaping check, every mode × N × repetition (the
 * repetitions outermost, so a disturbance of the machine spreads over all cells), then the outputs. The hosts
 * and every process are removed before it returns or throws.
 */
export async function runLab(params: LabParams, init: { prefix: string; out: string; command: string; signal: AbortSignal; procs: ProcessSet; events: LabEvents; notes: string[]; trace?: boolean }): Promise<LabOutcome> {
  const { events, signal } = init;
  const work = await mkdtemp(join(tmpdir(), 'tandem-lab-'));
  let net: LabNet | undefined;
  try {
    const fileName = 'lab.bin';
    await mkdir(join(work, 'server'));
    await makeFile(join(work, 'server', fileName), params.sizeBytes);
    const sha256 = await sha256File(join(work, 'server', fileName));
    const nMax = Math.max(...params.clients);
    events.progress(`building ${nMax + 2} network namespaces (${init.prefix}*)`);
    net = await buildNet(init.prefix, nMax, params, signal);
    events.progress('checking the shaping');
    const shaping = await checkShaping(net, params, signal);
    for (const s of shaping) events.shaping(s);
    const ctx: RunContext = { net, params, work, fileName, sha256, signal, procs: init.procs, log: events.progress, ...(init.trace ? { traceDir: join(init.out, 'trace') } : {}) };
    const runs: RunRecord[] = [];
    const sections = (): string[] => [traceSection(runs)].filter((s): s is string => s !== undefined);
    const total = params.reps * params.clients.length * params.modes.length;
    for (let rep = 1; rep <= params.reps; rep++) {
      for (const n of params.clients) {
        for (const mode of params.modes) {
          signal.throwIfAborted();
          events.progress(`run ${runs.length + 1}/${total}: ${mode}, N = ${n}, rep ${rep}`);
          const record = await runMode(ctx, mode, n, rep);
          runs.push(record);
          events.run(record);
          // After every run, so a lab stopped midway (Ctrl-C, a failed run) keeps what it measured.
          await writeOutputs(init.out, params, runs, shaping, init.notes, init.command, sections());
        }
      }
    }
    const files = await writeOutputs(init.out, params, runs, shaping, init.notes, init.command, sections());
    return { runs, shaping, files };
  } finally {
    await init.procs.stopAll(2000);
    if (net) destroySync(init.prefix);
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
