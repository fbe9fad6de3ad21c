import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { AddResult } from '../../node/index.js';
import { TandemError } from '../../util/errors.js';
import { Output, runCommand } from '../output.js';
import { addRemoteFlags, DaemonClient, type RemoteFlags } from '../rpc-client.js';

interface AddFlags extends RemoteFlags {
  output?: string;
  paused?: boolean;
  only?: string;
  sequential?: boolean;
  label: string[];
  peer: string[];
}

export default function addCommand(): Command {
  const cmd = new Command('add')
    .description('add a torrent to the running daemon')
    .argument('<source>', 'magnet:?..., path/to/file.torrent, or an http(s):// URL of a .torrent')
    .option('-o, --output <dir>', "folder to save into (default: the daemon's download dir)")
    .option('--paused', 'add without starting (a magnet fetches its file list, then waits)')
    .option('--only <indexes>', 'download only these files (e.g. 0,3)')
    .option('--sequential', 'fetch pieces in order')
    .option('--label <label>', 'a label (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--peer <host:port>', 'connect to this peer directly (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .addHelpText('after', '\nExamples:\n  tandem add ubuntu.torrent -o /srv/downloads --label iso\n  tandem add "magnet:?xt=urn:btih:..." --paused');
  addRemoteFlags(cmd);
  return cmd.action((source: string, flags: AddFlags) =>
    runCommand(flags, async () => {
      const out = new Output(flags);
      const client = DaemonClient.fromFlags(flags);
      // A local path is the caller's: the daemon may run elsewhere, so the file's bytes are sent.
      const isPath = !/^(magnet:|https?:\/\/)/i.test(source);
      let metainfo: string | undefined;
      if (isPath) {
        try {
          metainfo = (await readFile(source)).toString('base64');
        } catch (err) {
          throw new TandemError('CLI_NO_FILE', `cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'input');
        }
      }
      const only = flags.only === undefined ? undefined : flags.only.split(',').map((s) => {
        if (!/^\d{1,9}$/.test(s.trim())) throw new TandemError('CLI_USAGE', `--only: "${flags.only}" is not a list of file indexes`, 'input');
        return Number(s);
      });
      const result = await client.call<AddResult>('torrent.add', {
        ...(metainfo ? { metainfo } : { source }),
        savePath: flags.output === undefined ? undefined : resolve(flags.output),
        paused: flags.paused,
        onlyFiles: only,
        sequential: flags.sequential,
        labels: flags.label.length ? flags.label : undefined,
        peers: flags.peer.length ? flags.peer : undefined,
      });
      out.json(result);
      const t = result.torrent;
      out.line(`${result.duplicate ? 'already there' : 'added'}: ${t.id} ${t.name} (${t.infoHash})`);
      return 0;
    }),
  );
}
