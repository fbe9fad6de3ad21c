import { Command } from 'commander';
import type { SessionSettings, TorrentSummary } from '../../node/index.js';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, DaemonClient, idArgs, type RemoteFlags } from '../rpc-client.js';
import { parseBytes } from '../units.js';

interface LimitFlags extends RemoteFlags {
  down?: string;
  up?: string;
}

const shown = (n: number): string => (n > 0 ? `${formatBytes(n)}/s` : 'none');

export default function limitCommand(): Command {
  const cmd = new Command('limit')
    .description("set or show the daemon's rate limits: global, or one torrent's with an id (0 lifts a limit)")
    .argument('[id]', 'a torrent id or info-hash prefix; none for the global limits')
    .option('--down <rate>', 'download limit, bytes per second (e.g. 2MiB, 0 for none)')
    .option('--up <rate>', 'upload limit, bytes per second (e.g. 512KiB, 0 for none)')
    .addHelpText('after', '\nExamples:\n  tandem limit --down 5MiB --up 1MiB\n  tandem limit 3 --up 0\n  tandem limit');
  addRemoteFlags(cmd);
  return cmd.action((id: string | undefined, flags: LimitFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const client = DaemonClient.fromFlags(flags);
      const down = flags.down === undefined ? undefined : parseBytes(flags.down, '--down');
      const up = flags.up === undefined ? undefined : parseBytes(flags.up, '--up');
      if (id === undefined) {
        const changes: Record<string, number> = {};
        if (down !== undefined) changes.downloadLimitBytesPerSec = down;
        if (up !== undefined) changes.uploadLimitBytesPerSec = up;
        const s = Object.keys(changes).length ? await client.call<SessionSettings>('session.set', changes) : await client.call<SessionSettings>('session.get');
        out.json({ downloadLimitBytesPerSec: s.downloadLimitBytesPerSec, uploadLimitBytesPerSec: s.uploadLimitBytesPerSec });
        out.line(`global limits: down ${shown(s.downloadLimitBytesPerSec)}, up ${shown(s.uploadLimitBytesPerSec)}`);
        return;
      }
      const [sel] = idArgs([id]) as (number | string)[];
      if (down !== undefined || up !== undefined) await client.call('torrent.set', { ids: [sel], downloadLimitBytesPerSec: down, uploadLimitBytesPerSec: up });
      const t = await client.call<TorrentSummary>('torrent.get', { id: sel });
      out.json({ id: t.id, downloadLimitBytesPerSec: t.downloadLimitBytesPerSec, uploadLimitBytesPerSec: t.uploadLimitBytesPerSec });
      out.line(`torrent ${t.id} limits: down ${shown(t.downloadLimitBytesPerSec)}, up ${shown(t.uploadLimitBytesPerSec)}`);
    }),
  );
}
