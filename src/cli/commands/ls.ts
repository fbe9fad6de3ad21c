import { Command } from 'commander';
import type { TorrentSummary } from '../../node/index.js';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, DaemonClient, type RemoteFlags } from '../rpc-client.js';
import { formatEta, table } from '../table.js';

export default function lsCommand(): Command {
  const cmd = new Command('ls')
    .description("list the running daemon's torrents")
    .addHelpText('after', '\nExamples:\n  tandem ls\n  tandem ls --json | jq .name');
  addRemoteFlags(cmd);
  return cmd.action((flags: RemoteFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const list = await DaemonClient.fromFlags(flags).call<TorrentSummary[]>('torrent.list');
      for (const t of list) out.json(t);
      if (list.length === 0) return void out.line('no torrents');
      const rows = list.map((t) => [
        String(t.id),
        `${Math.floor(t.progress * 1000) / 10}%`,
        formatBytes(t.wantedBytes),
        formatEta(t.etaSeconds),
        `${formatBytes(t.downloadRateBytesPerSec)}/s`,
        `${formatBytes(t.uploadRateBytesPerSec)}/s`,
        t.ratio.toFixed(2),
        t.status,
        t.name,
      ]);
      out.line(table(['ID', 'Done', 'Size', 'ETA', 'Down', 'Up', 'Ratio', 'Status', 'Name'], rows, new Set([0, 1, 2, 3, 4, 5, 6])));
    }),
  );
}
