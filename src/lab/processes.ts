import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';

/** The compiled CLI and the probe, run inside the namespaces with this same Node. */
export const TANDEM_BIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
export const PROBE_BIN = fileURLToPath(new URL('./probe.js', import.meta.url));

/**
 * The environment of a run's processes: the lab's own, less what only costs start-up time there, and with the
 * public DHT routers off. Node parses every certificate of NODE_EXTRA_CA_CERTS when it starts, before any code runs
 * (38 ms of CPU per process on the lab machine, whose environment sets it to the system's 144 certificates: 16 clients
 * starting on 2 cores lost 0.3 s to it), and no host of the lab speaks TLS.
 */
export function labEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, TANDEM_NO_PUBLIC_DHT: '1' };
  delete out.NODE_EXTRA_CA_CERTS;
  return out;
}

/** A process of a run, inside one namespace, its stdout read line by line. */
export class LabProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private readonly listeners = new Set<(line: string) => void>();
  stderr = '';

  constructor(
    readonly label: string,
    ns: string,
    command: string[],
    env: NodeJS.ProcessEnv = {},
  ) {
    // `ip netns exec` enters the namespace and execs the program: the pid is the program's own.
    this.child = spawn('ip', ['netns', 'exec', ns, ...command], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...labEnvironment(process.env), ...env } });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', () => resolve(-1));
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      for (const l of this.listeners) l(line);
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += d.toString();
    });
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The first line matching, or a LabError after `timeoutMs` or when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error, line?: string): void => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(line!);
      };
      const off = this.onLine((line) => {
        if (pattern.test(line)) done(undefined, line);
      });
      const timer = setTimeout(() => done(new LabError('LAB_RUN', `${this.label}: no line matching ${pattern} within ${timeoutMs} ms${this.tail()}`)), timeoutMs);
      const onAbort = (): void => done(new LabError('LAB_ABORTED', 'interrupted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.exited.then((code) => done(new LabError('LAB_RUN', `${this.label} exited (${code}) before it was ready${this.tail()}`)));
    });
  }

  private tail(): string {
    const t = this.stderr.trim().split('\n').slice(-3).join(' | ');
    return t ? `: ${t}` : '';
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** Every process of a run, so each one is stopped whatever happens. */
export class ProcessSet {
  private readonly procs: LabProcess[] = [];

  /** A script run with this same Node; `env` is added to the lab's environment. */
  start(label: string, ns: string, argv: string[], env?: NodeJS.ProcessEnv): LabProcess {
    return this.startProgram(label, ns, [process.execPath, ...argv], env);
  }

  /** Any program (`command[0]`, looked up on PATH), for the reference modes. */
  startProgram(label: string, ns: string, command: string[], env?: NodeJS.ProcessEnv): LabProcess {
    const p = new LabProcess(label, ns, command, env);
    this.procs.push(p);
    return p;
  }

  /** SIGTERM to all, SIGKILL to any still running after `graceMs`; resolves once all have exited. */
  async stopAll(graceMs = 4000): Promise<void> {
    const live = this.procs.filter((p) => p.running);
    for (const p of live) p.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const p of live) if (p.running) p.child.kill('SIGKILL');
    }, graceMs);
    await Promise.all(live.map((p) => p.exited));
    clearTimeout(timer);
    this.procs.length = 0;
  }

  /** For an exit handler: SIGKILL to whatever is left, without waiting. */
  killNow(): void {
    for (const p of this.procs) if (p.running) p.child.kill('SIGKILL');
  }
}

/** CPU seconds of this process's children that have been waited for (cutime + cstime of /proc/self/stat). */
export function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  return (Number(f[13]) + Number(f[14])) / 100;
}
