// What every run of one lab shares, and the pieces of a run that every P2P mode starts the same way.
import type { LabNet } from './netns.js';
import { LabProcess, ProcessSet, TANDEM_BIN } from './processes.js';
import type { LabParams } from './types.js';

/** What every run of one lab shares: the hosts, the file, the work folder. */
export interface RunContext {
  net: LabNet;
  params: LabParams;
  /** Holds `server/` (the file), `c1/`... (the copies), the torrent and the seed cache. */
  work: string;
  fileName: string;
  sha256: string;
  signal: AbortSignal;
  procs: ProcessSet;
  log: (text: string) => void;
  /** With `--trace`: where each run's piece timelines go (a folder per run, a file per host). */
  traceDir?: string;
}

export const TRACKER_PORT = 6969;
export const PEER_PORT = 6881;
const READY_MS = 30_000;

export function tandem(ctx: RunContext, label: string, ns: string, args: string[], env?: NodeJS.ProcessEnv): LabProcess {
  return ctx.procs.start(label, ns, [TANDEM_BIN, ...args], env);
}

/** `tandem tracker` in the server's namespace; resolves with its announce URL once it listens. */
export async function startTracker(ctx: RunContext): Promise<string> {
  const s = ctx.net.server;
  const tracker = tandem(ctx, 'tracker', s.ns, ['tracker', '--http', `${s.ip}:${TRACKER_PORT}`, '--json']);
  await tracker.waitFor(/"listening"/, READY_MS, ctx.signal);
  return `http://${s.ip}:${TRACKER_PORT}/announce`;
}
