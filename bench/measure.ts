import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Wall time, CPU seconds (user + system, waited-for children included) and peak RSS of one command. */
export interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

/** Runs a command under GNU time (Debian package `time`), which reads the kernel's own rusage at exit. */
export function measure(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-measure-'));
  const out = join(dir, 'time.txt');
  return new Promise<Measurement>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', out, '-f', '%e %U %S %M', command, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const limit = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(limit);
      if (code !== 0) return reject(new Error(`${command} exited ${code}: ${stderr}`));
      const [wall, user, sys, rssKiB] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
      resolve({ wallSeconds: wall!, cpuSeconds: user! + sys!, peakRssMiB: rssKiB! / 1024 });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Runs a measurement `runs` times and keeps the fastest: the run least disturbed by the rest of the machine. */
export async function bestOf(runs: number, f: () => Promise<Measurement>): Promise<Measurement> {
  let top: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = await f();
    if (!top || m.wallSeconds < top.wallSeconds) top = m;
  }
  return top!;
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cell = (v: string | number): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k] ?? '').length)));
  console.log(keys.map((k, i) => k.padEnd(widths[i]!)).join('  '));
  for (const r of rows) console.log(keys.map((k, i) => cell(r[k] ?? '').padEnd(widths[i]!)).join('  '));
}
