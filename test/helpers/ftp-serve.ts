// Starts `tandem serve` with FTP options as a child process and reads the addresses it prints.
import type { ChildProcess } from 'node:child_process';
import { startProcess, TANDEM_ARGV } from './processes.js';

export interface ServedFtp {
  child: ChildProcess;
  /** Every line the server printed so far (its log). */
  log(): string;
  /** Resolves when the log holds a line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function serveFtp(t: { after: (fn: () => void) => void }, args: string[]): ServedFtp {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'serve', ...args]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    log: () => out,
    waitFor: async (pattern, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`tandem serve exited (${child.exitCode}):\n${out}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** The port of the `--ftp` (or `--ftps`) listener named in the server's start-up line. */
export async function portOf(s: ServedFtp, scheme: 'ftp' | 'ftps'): Promise<number> {
  return Number((await s.waitFor(new RegExp(`^${scheme}: serving .* at ${scheme}://\\[?[0-9a-f:.]+\\]?:(\\d+)/`, 'm')))[1]);
}
