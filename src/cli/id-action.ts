import { Command } from 'commander';
import { Output, runCommand } from './output.js';
import { addRemoteFlags, DaemonClient, idArgs, type RemoteFlags } from './rpc-client.js';

/** A daemon command of the shape `NAME ID...|all` that calls one method and reports the ids it touched. */
export function idActionCommand(name: string, method: string, description: string, done: string): Command {
  const cmd = new Command(name)
    .description(description)
    .argument('<ids...>', 'torrent ids or info-hash prefixes, or all')
    .addHelpText('after', `\nExamples:\n  tandem ${name} 3\n  tandem ${name} 1 2 c12fe1c0\n  tandem ${name} all`);
  addRemoteFlags(cmd);
  return cmd.action((ids: string[], flags: RemoteFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const result = await DaemonClient.fromFlags(flags).call<{ ids: number[] }>(method, { ids: idArgs(ids) });
      out.json(result);
      out.line(`${done}: ${result.ids.join(' ') || 'none'}`);
    }),
  );
}
