import { Command } from 'commander';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, DaemonClient, idArgs, type RemoteFlags } from '../rpc-client.js';

interface RmFlags extends RemoteFlags {
  delete?: boolean;
}

export default function rmCommand(): Command {
  const cmd = new Command('rm')
    .description('remove torrents from the running daemon (their data stays unless --delete)')
    .argument('<ids...>', 'torrent ids or info-hash prefixes, or all')
    .option('--delete', "also delete the torrents' files (only the torrent's own files, and the folders they leave empty)")
    .addHelpText('after', '\nExamples:\n  tandem rm 3\n  tandem rm 4 5 --delete');
  addRemoteFlags(cmd);
  return cmd.action((ids: string[], flags: RmFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const result = await DaemonClient.fromFlags(flags).call<{ ids: number[] }>('torrent.remove', { ids: idArgs(ids), deleteData: Boolean(flags.delete) });
      out.json(result);
      out.line(`removed${flags.delete ? ' with data' : ''}: ${result.ids.join(' ') || 'none'}`);
    }),
  );
}
