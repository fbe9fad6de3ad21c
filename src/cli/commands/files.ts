import { Command } from 'commander';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, fetchTorrent, type RemoteFlags } from '../rpc-client.js';
import { table } from '../table.js';

export default function filesCommand(): Command {
  const cmd = new Command('files')
    .description("list a daemon torrent's files with their progress, wanted flag and priority")
    .argument('<id>', 'the torrent id, or an info-hash prefix')
    .addHelpText('after', '\nExample:\n  tandem files 3');
  addRemoteFlags(cmd);
  return cmd.action((id: string, flags: RemoteFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const t = await fetchTorrent(flags, id);
      for (const f of t.files) out.json(f);
      const prio = { '-1': 'low', '0': 'normal', '1': 'high' } as const;
      const rows = t.files.map((f) => [String(f.index), `${f.lengthBytes ? Math.floor((f.verifiedBytes / f.lengthBytes) * 1000) / 10 : 100}%`, f.wanted ? 'yes' : 'no', prio[String(f.priority) as '0'], formatBytes(f.lengthBytes), f.path]);
      out.line(table(['#', 'Done', 'Get', 'Priority', 'Size', 'Name'], rows, new Set([0, 1, 4])));
    }),
  );
}
