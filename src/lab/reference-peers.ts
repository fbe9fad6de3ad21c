// The reference programs the lab runs in place of tandem for comparison (modes `libtorrent` and `aria2`): which
// package each needs, and the command lines of their seed and clients. Settings as REFERENCE-PROGRAMS.md found
// them: libtorrent with uTP, DHT, LSD, UPnP and NAT-PMP off and its defaults otherwise (not the
// high_performance_seed preset, which no normal client uses); aria2 with DHT, LPD and PEX off, meeting its peers
// through the tracker (it cannot be given a peer address). Both keep seeding after they finish.
import { spawnSync } from 'node:child_process';
import { LabError } from './errors.js';
import type { Mode } from './units.js';

/** Debian's Python: the `python3` first on PATH may be a build without the libtorrent module. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const ARIA2C = 'aria2c';

export type ReferenceMode = 'libtorrent' | 'aria2';
export type PeerRole = 'seed' | 'client';

export function isReferenceMode(mode: Mode): mode is ReferenceMode {
  return mode === 'libtorrent' || mode === 'aria2';
}

/** What each reference mode runs, and the Debian package that brings it. */
const PROGRAMS: Record<ReferenceMode, { pkg: string; argv: string[] }> = {
  libtorrent: { pkg: 'python3-libtorrent', argv: [DEBIAN_PYTHON, '-c', 'import libtorrent'] },
  aria2: { pkg: 'aria2', argv: [ARIA2C, '--version'] },
};

/**
 * The reference modes among `modes` whose program does not run here, each with the line that says what to
 * install. `runs` is the check (injected so the message can be tested without uninstalling anything).
 */
export function missingPrograms(modes: Mode[], runs: (argv: string[]) => boolean = programRuns): string[] {
  const out: string[] = [];
  for (const mode of modes) {
    if (!isReferenceMode(mode)) continue;
    const p = PROGRAMS[mode];
    if (!runs(p.argv)) out.push(`mode ${mode} needs ${p.argv[0]} ${mode === 'libtorrent' ? 'with the libtorrent module ' : ''}(apt-get install ${p.pkg})`);
  }
  return out;
}

function programRuns(argv: string[]): boolean {
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/** Throws before anything starts when a reference mode's program is missing (exit 2). */
export function requirePrograms(modes: Mode[]): void {
  const missing = missingPrograms(modes);
  if (missing.length) throw new LabError('LAB_MISSING_PROGRAM', missing.join('; '), 'input');
}

/**
 * A libtorrent peer: adds the torrent saving into `save`, prints `{"event":"seeding"}` (seed) or
 * `{"event":"done"}` (client) once it has the whole file, and keeps seeding until it is stopped.
 */
const LIBTORRENT_PEER = `
import json, sys, libtorrent as lt
role, torrent, save, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ses = lt.session({'listen_interfaces': '0.0.0.0:%d' % port, 'enable_incoming_utp': False, 'enable_outgoing_utp': False,
  'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
  'alert_mask': lt.alert_category.status | lt.alert_category.error})
h = ses.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': save})
said = False
for _ in range(36000):
    ses.wait_for_alert(100)
    for a in ses.pop_alerts():
        if isinstance(a, (lt.torrent_error_alert, lt.file_error_alert)):
            sys.stderr.write(a.message() + '\\n'); sys.exit(1)
    if not said and h.status().is_seeding:
        said = True
        print(json.dumps({'event': 'seeding' if role == 'seed' else 'done'}, separators=(',', ':')), flush=True)
`;

export function libtorrentArgv(role: PeerRole, torrent: string, dir: string, port: number): string[] {
  return [DEBIAN_PYTHON, '-c', LIBTORRENT_PEER, role, torrent, dir, String(port)];
}

/**
 * An aria2 peer. aria2 buffers its console output when it is not a terminal and says "Download complete" only
 * when it exits, so completion comes from `--on-bt-download-complete`: `hook` is a script that prints
 * `{"event":"done"}` on the stdout it inherits. The seed checks its copy against the torrent first.
 */
export function aria2Argv(role: PeerRole, torrent: string, dir: string, port: number, hook: string): string[] {
  const common = [`--dir=${dir}`, `--listen-port=${port}`, '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--seed-ratio=0.0', '--summary-interval=0', '--file-allocation=none', '--console-log-level=warn'];
  const byRole = role === 'seed' ? ['--check-integrity=true'] : [`--on-bt-download-complete=${hook}`];
  return [ARIA2C, ...common, ...byRole, torrent];
}

/** The hook aria2 runs on completion (it passes the GID, the file count and the path, unused here). */
export const ARIA2_DONE_HOOK = '#!/bin/sh\necho \'{"event":"done"}\'\n';
