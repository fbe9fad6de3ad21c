import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, TANDEM_ARGV, waitForLine } from './processes.js';

type After = { after: (fn: () => void) => void };

export interface RunningDaemon {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/ */
  url: string;
  token: string;
  stateDir: string;
  /** Everything the daemon printed so far. */
  output: () => string;
  /** Calls tandem's JSON-RPC; throws with the error's message on an error reply. */
  rpc<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** SIGTERM, and waits for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash), and waits for the exit. */
  kill9(): Promise<void>;
}

/** Starts `tandem daemon` on loopback with an API on a free port, no DHT; killed when the test ends. */
export async function startDaemon(t: After, stateDir: string, extra: string[] = []): Promise<RunningDaemon> {
  const child = startProcess(t, process.execPath, [...TANDEM_ARGV, 'daemon', '--state-dir', stateDir, '--rpc', '127.0.0.1:0', '--port', '0', '--listen', '127.0.0.1', '--no-dht', ...extra]);
  let printed = '';
  child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
  const [, url] = await waitForLine(child, /^web UI: (http:\/\/[^#]+)/, 20_000);
  const token = (await readFile(join(stateDir, 'rpc-token'), 'utf8')).trim();
  let nextId = 1;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: url!,
    token,
    stateDir,
    output: () => printed,
    async rpc<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(`${url}api/rpc`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      });
      const body = (await res.json()) as { result?: T; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result as T;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` with the last value seen. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
