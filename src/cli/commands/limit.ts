import { Command } from 'commander';
import type { SeedRatioMode, SessionSettings, TorrentDetail } from '../../node/index.js';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, DaemonClient, idArgs, type RemoteFlags } from '../rpc-client.js';
import { parseBytes } from '../units.js';
import { TandemError } from '../../util/errors.js';

interface LimitFlags extends RemoteFlags {
  down?: string;
  up?: string;
  ratio?: string;
}

const shown = (n: number): string => (n > 0 ? `${formatBytes(n)}/s` : 'none');

/** `--ratio`: a number, `none` (seed forever) or, for one torrent, `global` (the session's limit). */
function parseRatio(text: string, perTorrent: boolean): { limit?: number; mode: SeedRatioMode } {
  if (text === 'none') return { mode: 'unlimited' };
  if (text === 'global' && perTorrent) return { mode: 'global' };
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new TandemError('CLI_USAGE', `--ratio: "${text}" is not a ratio (a number${perTorrent ? ', none or global' : ' or none'})`, 'input');
  return { limit: n, mode: 'own' };
}

function shownRatio(mode: SeedRatioMode, own: number, session: number): string {
  if (mode === 'unlimited' || (mode === 'global' && session === 0)) return 'none';
  return mode === 'own' ? String(own) : `${session} (global)`;
}

export default function limitCommand(): Command {
  const cmd = new Command('limit')
    .description("set or show the daemon's rate limits: global, or one torrent's with an id (0 lifts a limit)")
    .argument('[id]', 'a torrent id or info-hash prefix; none for the global limits')
    .option('--down <rate>', 'download limit, bytes per second (e.g. 2MiB, 0 for none)')
    .option('--up <rate>', 'upload limit, bytes per second (e.g. 512KiB, 0 for none)')
    .option('--ratio <ratio>', 'stop seeding at this upload ratio (none: never; for a torrent, global: the global one)')
    .addHelpText('after', '\nExamples:\n  tandem limit --down 5MiB --up 1MiB --ratio 2\n  tandem limit 3 --up 0 --ratio none\n  tandem limit');
  addRemoteFlags(cmd);
  return cmd.action((id: string | undefined, flags: LimitFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const client = DaemonClient.fromFlags(flags);
      const down = flags.down === undefined ? undefined : parseBytes(flags.down, '--down');
      const up = flags.up === undefined ? undefined : parseBytes(flags.up, '--up');
      const ratio = flags.ratio === undefined ? undefined : parseRatio(flags.ratio, id !== undefined);
      if (id === undefined) {
        const changes: Record<string, number> = {};
        if (down !== undefined) changes.downloadLimitBytesPerSec = down;
        if (up !== undefined) changes.uploadLimitBytesPerSec = up;
        if (ratio) changes.seedRatioLimit = ratio.limit ?? 0;
        const s = Object.keys(changes).length ? await client.call<SessionSettings>('session.set', changes) : await client.call<SessionSettings>('session.get');
        out.json({ downloadLimitBytesPerSec: s.downloadLimitBytesPerSec, uploadLimitBytesPerSec: s.uploadLimitBytesPerSec, seedRatioLimit: s.seedRatioLimit });
        out.line(`global limits: down ${shown(s.downloadLimitBytesPerSec)}, up ${shown(s.uploadLimitBytesPerSec)}, seed ratio ${shownRatio('global', 0, s.seedRatioLimit)}`);
        return;
      }
      const [sel] = idArgs([id]) as (number | string)[];
      if (down !== undefined || up !== undefined || ratio) {
        await client.call('torrent.set', { ids: [sel], downloadLimitBytesPerSec: down, uploadLimitBytesPerSec: up, seedRatioLimit: ratio?.limit, seedRatioMode: ratio?.mode });
      }
      const [t, s] = await Promise.all([client.call<TorrentDetail>('torrent.get', { id: sel }), client.call<SessionSettings>('session.get')]);
      out.json({ id: t.id, downloadLimitBytesPerSec: t.downloadLimitBytesPerSec, uploadLimitBytesPerSec: t.uploadLimitBytesPerSec, seedRatioLimit: t.seedRatioLimit, seedRatioMode: t.seedRatioMode });
      out.line(`torrent ${t.id} limits: down ${shown(t.downloadLimitBytesPerSec)}, up ${shown(t.uploadLimitBytesPerSec)}, seed ratio ${shownRatio(t.seedRatioMode, t.seedRatioLimit, s.seedRatioLimit)}`);
    }),
  );
}
