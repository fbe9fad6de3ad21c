/**
 * `serve --workers N`: N worker processes accept on one shared listening socket, as nginx's worker processes do,
 * so HTTP serving uses every core. The primary only forks, restarts a worker that dies, and stops them all.
 * Workers run the same command line; `isServeWorker()` tells them apart. Connections are spread by the kernel
 * (cluster's SCHED_NONE): the default round robin makes the primary accept every connection and pass it over IPC,
 * which costs more than it balances for short requests.
 *
 * Messages (worker → primary): `{ kind: 'listening', url, host, port }` once, `{ kind: 'sent', bytes }` at exit.
 * Primary → worker: `{ kind: 'stop' }`.
 *
 * @example
 *   if (isServeWorker()) { ...serve HTTP...; reportToPrimary({ kind: 'listening', ... }); await stopRequested(); }
 *   else { const pool = new WorkerPool(4); const first = await pool.start(); ...; const sent = await pool.stop(); }
 */
import cluster, { type Worker } from 'node:cluster';
import { SeedError } from './errors.js';

export type WorkerMessage = { kind: 'listening'; url: string; host: string; port: number } | { kind: 'sent'; bytes: number } | { kind: 'failed'; message: string };

/** A worker that dies is replaced, but not more often than this per minute (a crash loop is an error, not a server). */
const MAX_RESTARTS_PER_MINUTE = 10;
/** A worker still running this long after `stop` is killed. */
const STOP_GRACE_MS = 5_000;

export function isServeWorker(): boolean {
  return cluster.isWorker;
}

export function reportToPrimary(message: WorkerMessage): void {
  process.send?.(message);
}

/** Resolves when the primary asks this worker to stop, or the primary is gone. Ctrl-C is the primary's to handle. */
export function stopRequested(): Promise<void> {
  process.on('SIGINT', () => {});
  return new Promise((resolve) => {
    process.on('message', (m: { kind?: string }) => m?.kind === 'stop' && resolve());
    process.once('disconnect', () => resolve());
  });
}

export class WorkerPool {
  private readonly workers = new Set<Worker>();
  private readonly restarts: number[] = [];
  private sentBytes = 0;
  private stopping = false;

  constructor(
    readonly count: number,
    private readonly onWarning: (message: string) => void = () => {},
  ) {}

  /** Forks the workers and resolves with the first one's address once all of them listen. */
  async start(): Promise<Extract<WorkerMessage, { kind: 'listening' }>> {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    const ready = Array.from({ length: this.count }, () => this.fork());
    const addresses = await Promise.all(ready);
    return addresses[0]!;
  }

  /** Asks every worker to stop, kills the slow ones, and resolves with the body bytes they sent in total. */
  async stop(): Promise<number> {
    this.stopping = true;
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.send({ kind: 'stop' });
        }),
    );
    await Promise.all(exits);
    return this.sentBytes;
  }

  private fork(): Promise<Extract<WorkerMessage, { kind: 'listening' }>> {
    const worker = cluster.fork();
    this.workers.add(worker);
    return new Promise((resolve, reject) => {
      let listening = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'listening') {
          listening = true;
          resolve(m);
        } else if (m.kind === 'sent') this.sentBytes += m.bytes;
        else if (m.kind === 'failed') reject(new SeedError('SEED_WORKER', `a serve worker could not start: ${m.message}`));
      });
      worker.once('exit', (code, signal) => {
        this.workers.delete(worker);
        if (!listening) return reject(new SeedError('SEED_WORKER', `a serve worker exited before listening (${signal ?? code})`));
        if (!this.stopping) this.replace(`a serve worker died (${signal ?? code})`);
      });
    });
  }

  private replace(reason: string): void {
    const now = Date.now();
    while (this.restarts.length > 0 && now - this.restarts[0]! > 60_000) this.restarts.shift();
    if (this.restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      this.onWarning(`${reason}; not restarted: ${MAX_RESTARTS_PER_MINUTE} restarts in the last minute`);
      return;
    }
    this.restarts.push(now);
    this.onWarning(`${reason}; starting another`);
    this.fork().catch((err: Error) => this.onWarning(err.message));
  }
}
