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
export async function bestOf<T extends Measurement>(runs: number, f: () => Promise<T>): Promise<T> {
  let top: T | undefined;
  for (let i = 0; i < runs; i++) {
    const m = await f();
    if (!top || m.wallSeconds < top.wallSeconds) top = m;
  }
  return top!;
}

/** User + system CPU seconds of one process from /proc (Linux reports them in USER_HZ = 100 ticks a second). */
function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined; // gone
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Watches the CPU a server spends while a client runs: the process itself and the children it forks (tftpd-hpa
 * forks one per transfer, and they exit before anyone waits for them). Children are sampled every 20 ms, so at most
 * 20 ms of a child's last work is missed.
 */
export function watchServerCpu(pid: number): { stop(): number } {
  const ownStart = procCpuSeconds(pid) ?? 0;
  const before = new Map(childPids(pid).map((c) => [c, procCpuSeconds(c) ?? 0]));
  const seen = new Map<number, number>();
  const sample = (): void => {
    for (const c of childPids(pid)) {
      const cpu = procCpuSeconds(c);
      if (cpu !== undefined) seen.set(c, cpu);
    }
  };
  const timer = setInterval(sample, 20);
  return {
    stop(): number {
      sample();
      clearInterval(timer);
      let children = 0;
      for (const [c, cpu] of seen) children += cpu - (before.get(c) ?? 0);
      return (procCpuSeconds(pid) ?? ownStart) - ownStart + children;
    },
  };
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
