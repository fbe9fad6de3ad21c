import type { ChildProcess } from 'node:child_process';
import { startProcess, waitForLine } from './processes.js';
import { freeTcpPort } from './ports.js';
import { requireProgram } from './programs.js';

/** Starts Debian's redis-server on a free loopback port, no persistence; killed when the test ends. */
export async function startRedis(t: { after: (fn: () => void) => void }): Promise<string> {
  const port = await freeTcpPort();
  await startRedisOn(t, port);
  return `redis://127.0.0.1:${port}`;
}

/** Starts redis-server on a given loopback port (to restart one in place); killed when the test ends. */
export async function startRedisOn(t: { after: (fn: () => void) => void }, port: number): Promise<ChildProcess> {
  const bin = requireProgram('redis-server', 'redis-server');
  const child = startProcess(t, bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no']);
  await waitForLine(child, /Ready to accept connections/, 15_000);
  return child;
}
