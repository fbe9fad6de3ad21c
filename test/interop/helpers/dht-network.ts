// A loopback DHT for interop tests: tandem nodes in this process, libtorrent nodes as child processes
// (dht_node.py), bootstrapped from one another. Nothing here leaves 127.0.0.1.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DhtNode, type DhtOptions } from '../../../src/dht/index.js';
import { DEBIAN_PYTHON } from '../../helpers/programs.js';
import { startProcess, TANDEM_ARGV } from '../../helpers/processes.js';
import { freeUdpPort } from '../../helpers/ports.js';

export const DHT_NODE_PY = fileURLToPath(new URL('../../../../test/interop/helpers/dht_node.py', import.meta.url));
export const LT_PEER_PY = fileURLToPath(new URL('../../../../test/interop/helpers/lt_peer.py', import.meta.url));

type After = { after: (fn: () => void | Promise<void>) => void };

export interface LineReader {
  /** Resolves with the first line, past or future, that matches; rejects after `timeoutMs` with what was seen. */
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Collects a child's stdout lines so a test can wait for one that has already gone by. */
export function readLines(child: ChildProcess, label: string): LineReader {
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  const line = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (const l of lines) {
          const m = l.match(pattern);
          if (!m) continue;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
          return;
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${label}: no line matching ${pattern} in ${timeoutMs} ms; saw:\n${lines.slice(-40).join('\n')}\n${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { line };
}

export interface LtDhtNode extends LineReader {
  child: ChildProcess;
  port: number;
}

/** A libtorrent DHT node (dht_node.py MODE PORT BOOTSTRAP ...), killed when the test ends. */
export async function libtorrentDhtNode(t: After, mode: 'node' | 'seed' | 'find', bootstrap: string, ...rest: string[]): Promise<LtDhtNode> {
  const port = await freeUdpPort();
  const child = startProcess(t, DEBIAN_PYTHON, [DHT_NODE_PY, mode, String(port), bootstrap, ...rest], { stdio: ['pipe', 'pipe', 'pipe'] });
  const reader = readLines(child, `libtorrent ${mode}`);
  await reader.line(/^listening/);
  return { child, port, ...reader };
}

/** `size` tandem DHT nodes on 127.0.0.1 (or ::1 with `ipv4: false`), the first the entry point of the rest, each stopped at test end. */
export async function tandemDhtNetwork(t: After, size: number, extra: DhtOptions = {}): Promise<DhtNode[]> {
  // Every node of a loopback DHT shares 127.0.0.1, so the per-address rate limit would throttle the whole test
  // network (libtorrent's bootstrap queries were dropped under load); dht_node.py lifts libtorrent's for the same reason.
  const opts: DhtOptions = { ipv4: { host: '127.0.0.1', port: 0 }, queryTimeoutMs: 1_000, rateLimitPerSecond: 100_000, rateLimitBurst: 100_000, ...extra };
  const root = new DhtNode({ ...opts, bootstrap: [] });
  await root.start();
  t.after(() => root.stop());
  const entry = extra.ipv4 === false ? `[::1]:${root.address(6)!.port}` : `127.0.0.1:${root.address(4)!.port}`;
  const nodes = [root];
  for (let i = 1; i < size; i++) {
    const n = new DhtNode({ ...opts, bootstrap: [entry] });
    await n.start();
    t.after(() => n.stop());
    nodes.push(n);
  }
  await Promise.all(nodes.map((n) => n.bootstrap()));
  return nodes;
}

/** `127.0.0.1:PORT` of a tandem node's UDP socket, as `--dht-bootstrap` takes it. */
export const endpoint = (node: DhtNode): string => `127.0.0.1:${node.address()!.port}`;

/**
 * Repeats a lookup from `node` until it yields a peer matching `want` (a seed announces a few seconds after it
 * bootstraps); returns every peer the last lookup saw. Bounded by `timeoutMs`.
 */
export async function lookupUntil(node: DhtNode, infoHash: Buffer, want: (peer: string) => boolean, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = [];
    for await (const p of node.lookup(infoHash, { signal: AbortSignal.timeout(10_000) })) seen.push(`${p.host}:${p.port}`);
    if (seen.some(want)) return seen;
    await new Promise((r) => setTimeout(r, 500));
  }
  return seen;
}

/**
 * Runs the tandem CLI to its end, bounded by `timeoutMs`; past it the child is killed and the result says so,
 * with everything it printed (unlike `tandem()`, which rejects with stderr alone), so a failure can be read.
 */
export function tandemBounded(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TANDEM_ARGV, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
