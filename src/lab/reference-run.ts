// The serving side of the reference modes (libtorrent, aria2): the same P2P experiment as mode p2p, with
// `tandem tracker` in the server's namespace (aria2 meets its peers only through a tracker), a v1 torrent made
// by `tandem create` (aria2 gets the info hash of hybrid torrents wrong), and a seed of the reference program.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from './errors.js';
import { PROBE_BIN } from './processes.js';
import { ARIA2_DONE_HOOK, aria2Argv, libtorrentArgv, type ReferenceMode } from './reference-peers.js';
import { PEER_PORT, startTracker, tandem, TRACKER_PORT, type RunContext } from './run-context.js';

const READY_MS = 30_000;

/** Tracker, torrent and a seed of the mode's program; resolves once the tracker lists the seed. */
export async function startReference(ctx: RunContext, mode: ReferenceMode): Promise<(dir: string) => string[]> {
  const s = ctx.net.server;
  const announce = await startTracker(ctx);
  const torrent = join(ctx.work, `lab-${mode}.torrent`);
  const create = tandem(ctx, 'create', s.ns, ['create', join(ctx.work, 'server', ctx.fileName), '-o', torrent, '-f', '-t', announce, '--piece-length', String(ctx.params.pieceLengthBytes), '--v1', '--quiet']);
  const code = await create.exited;
  if (code !== 0) throw new LabError('LAB_RUN', `tandem create exited (${code}): ${create.stderr.trim()}`);
  const hook = join(ctx.work, 'aria2-done.sh');
  if (mode === 'aria2') {
    await writeFile(hook, ARIA2_DONE_HOOK);
    await chmod(hook, 0o755);
  }
  const argv = (role: 'seed' | 'client', dir: string): string[] => (mode === 'libtorrent' ? libtorrentArgv(role, torrent, dir, PEER_PORT) : aria2Argv(role, torrent, dir, PEER_PORT, hook));
  ctx.procs.startProgram(`${mode} seed`, s.ns, argv('seed', join(ctx.work, 'server')));
  // The clients announce once at start (the tracker's interval is 30 min): the seed must be listed before.
  const seeded = ctx.procs.start('seeded', s.ns, [PROBE_BIN, 'seeded', `http://${s.ip}:${TRACKER_PORT}/metrics`]);
  await seeded.waitFor(/^ready$/, READY_MS * 2, ctx.signal);
  return (dir) => argv('client', dir);
}
