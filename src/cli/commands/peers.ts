import { Command } from 'commander';
import { formatBytes } from '../../util/format.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, fetchTorrent, type RemoteFlags } from '../rpc-client.js';
import { table } from '../table.js';

export default function peersCommand(): Command {
  const cmd = new Command('peers')
    .description("list the peers of a daemon torrent")
    .argument('<id>', 'the torrent id, or an info-hash prefix')
    .addHelpText('after', '\nExample:\n  tandem peers 3');
  addRemoteFlags(cmd);
  return cmd.action((id: string, flags: RemoteFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const t = await fetchTorrent(flags, id);
      for (const p of t.peerList) out.json(p);
      if (t.peerList.length === 0) return void out.line('no peers');
      const rows = t.peerList.map((p) => [p.address, p.flags || '-', `${Math.floor(p.progress * 1000) / 10}%`, `${formatBytes(p.downloadRateBytesPerSec)}/s`, `${formatBytes(p.uploadRateBytesPerSec)}/s`, p.client]);
      out.line(table(['Address', 'Flags', 'Done', 'Down', 'Up', 'Client'], rows, new Set([2, 3, 4])));
    }),
  );
}
