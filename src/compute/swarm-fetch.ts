/**
 * Fetching applications and inputs through the swarm: each file is downloaded by a `tandem get URL --seed
 * --no-webseeds` child, which joins the file's swarm when the project's files server offers a torrent (files of
 * 256 KiB and more: the server is tracker and a seed with few upload slots) and downloads over plain HTTP otherwise. The child keeps seeding afterwards, so
 * volunteers serve each other and the server sends fewer copies; the newest `maxSeeding` files are kept seeding.
 * The bytes are checked against their SHA-256 here, whatever path they took.
 *
 * The volunteer runs the CLI's own `get` as a child process rather than importing it: the swarm client lives
 * behind the CLI's face, and a child keeps a swarm's sockets and timers out of the volunteer's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';

const TANDEM_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export interface SwarmFetchInit {
  dir: string;
  /** Address the seeding peers listen on (every interface when absent). */
  listenHost?: string;
  maxSeeding: number;
}

export class SwarmFetcher {
  private readonly seeding: ChildProcess[] = [];

  constructor(private readonly init: SwarmFetchInit) {}

  /** The file's bytes, and whether they came through the swarm (else plain HTTP: no torrent was offered). */
  async fetch(url: string, sha256: string, bytes: number, signal: AbortSignal): Promise<{ data: Buffer; viaSwarm: boolean }> {
    await mkdir(this.init.dir, { recursive: true });
    const args = [TANDEM_MAIN, 'get', url, '-o', this.init.dir, '--seed', '--json', '--no-dht', '--no-lsd'];
    if (this.init.listenHost) args.push('--listen', this.init.listenHost);
    // No web seed: in these swarms the files server's own peer is a complete seed already, and a web seed would
    // let every volunteer that starts at the same moment take its pieces from the server over HTTP too.
    args.push('--no-webseeds');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    // A generous bound: a stalled swarm or server must not hold an instance forever.
    const limitMs = COMPUTE_DEFAULTS.transferTimeoutMs + bytes / 1000;
    const { done, viaSwarm } = await waitForDone(child, limitMs, signal);
    if (!done) {
      child.kill('SIGKILL');
      throw new ComputeError('COMPUTE_SERVER', `swarm download of ${sha256} did not finish`);
    }
    const data = await readFile(join(this.init.dir, sha256)).catch(() => Buffer.alloc(0));
    if (data.length !== bytes || createHash('sha256').update(data).digest('hex') !== sha256) {
      child.kill('SIGKILL');
      throw new ComputeError('COMPUTE_HASH_MISMATCH', `file ${sha256}: the downloaded bytes do not match`);
    }
    if (child.exitCode === null) this.keepSeeding(child);
    return { data, viaSwarm };
  }

  stop(): void {
    for (const c of this.seeding.splice(0)) c.kill('SIGTERM');
  }

  private keepSeeding(child: ChildProcess): void {
    this.seeding.push(child);
    while (this.seeding.length > this.init.maxSeeding) this.seeding.shift()!.kill('SIGTERM');
  }
}

/** `done` once the child prints its `done` event (not on an exit without one, the time limit, or abort). */
function waitForDone(child: ChildProcess, limitMs: number, signal: AbortSignal): Promise<{ done: boolean; viaSwarm: boolean }> {
  return new Promise((resolve) => {
    let buffered = '';
    let viaSwarm = false;
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      child.stdout!.off('data', onData);
      // Nothing reads stdout any more: keep draining it so a chatty seeder never blocks on a full pipe.
      child.stdout!.resume();
      resolve({ done: ok, viaSwarm });
    };
    const onData = (d: Buffer): void => {
      buffered = (buffered + d.toString()).slice(-64 * 1024);
      if (/"event":"swarm"/.test(buffered)) viaSwarm = true;
      if (/"event":"done"/.test(buffered)) finish(true);
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), limitMs);
    signal.addEventListener('abort', onAbort);
    child.stdout!.on('data', onData);
    child.once('exit', () => setTimeout(() => finish(/"event":"done"/.test(buffered)), 10));
  });
}
