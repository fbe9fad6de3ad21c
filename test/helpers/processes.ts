import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Tests never reach the public DHT, even when run one file at a time without scripts/run-tests.mjs: every
// tandem child (and any DhtNode in this process) fails loudly with DHT_PUBLIC_FORBIDDEN if it would.
process.env.TANDEM_NO_PUBLIC_DHT = '1';

/** The compiled CLI. */
export const TANDEM_BIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * Node's arguments to run the CLI as a user runs it: the flags of its `#!` line (`#!/usr/bin/env -S node FLAGS`),
 * then the file. Read from the file rather than run through its execute bit, which a fresh build does not have.
 * Without them a test runs another Node than users do: every worker thread failed under the real flags once, and
 * no test saw it.
 */
export const TANDEM_ARGV: readonly string[] = [
  ...readFileSync(TANDEM_BIN, 'utf8').split('\n')[0]!.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean),
  TANDEM_BIN,
];

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end with a time limit; the child is killed if the limit passes. */
export function run(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the tandem CLI. */
export function tandem(args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return run(process.execPath, [...TANDEM_ARGV, ...args], options);
}

/** Starts a long-running child that is killed when the test ends. */
export function startProcess(t: { after: (fn: () => void) => void }, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Resolves with the first line of the child's stdout that matches, or rejects after `timeoutMs`. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; saw:\n${buffered}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      buffered += d.toString();
      for (const line of buffered.split('\n')) {
        const m = line.match(pattern);
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve(m);
          return;
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before printing a line matching ${pattern}; saw:\n${buffered}`));
    });
  });
}
