import { access, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { createTorrent, magnetFromMetainfo, type TorrentVersion } from '../../metainfo/index.js';
import { TandemError } from '../../util/errors.js';
import { addCommonFlags, Output, runCommand, untilInterrupted, type CommonFlags } from '../output.js';
import { ByteProgress } from '../progress.js';
import { parseBytes } from '../units.js';
import { VERSION } from '../../util/version.js';
import { repeatable } from '../options.js';

interface CreateFlags extends CommonFlags {
  output?: string;
  tracker: string[];
  webSeed: string[];
  pieceLength?: string;
  v1?: boolean;
  v2?: boolean;
  hybrid?: boolean;
  private?: boolean;
  name?: string;
  comment?: string;
  date: boolean;
  threads?: string;
  force?: boolean;
}

export default function createCommand(): Command {
  const cmd = new Command('create')
    .description('make a .torrent for a file or a folder (v1 by default; --v2 or --hybrid on request)')
    .argument('<path>', 'file or folder to describe')
    .option('-o, --output <file>', 'where to write the torrent (default: <name>.torrent)')
    .option('-t, --tracker <url>', 'tracker announce URL; repeat for backups, each its own tier', repeatable, [])
    .option('-w, --web-seed <url>', 'web seed URL (BEP 19); repeat for more', repeatable, [])
    .option('--piece-length <bytes>', 'piece length, a power of two from 16KiB (default: chosen from the size)')
    .addOption(new Option('--v1', 'v1 torrent (BEP 3), readable by every client (default)').conflicts(['v2', 'hybrid']))
    .addOption(new Option('--v2', 'v2-only torrent (BEP 52)').conflicts(['hybrid']))
    .option('--hybrid', 'v1 and v2 in one torrent (BEP 52, with BEP 47 pad files)')
    .option('--private', 'private torrent (BEP 27): peers only from its trackers')
    .option('--name <name>', 'torrent name (default: the file or folder name)')
    .option('--comment <text>', 'free-text comment')
    .option('--no-date', 'leave out the creation date, so the same input gives the same file')
    .option('--threads <n>', 'hashing threads (default: every core)')
    .option('-f, --force', 'overwrite the output file if it exists')
    .addHelpText('after', '\nExamples:\n  tandem create ./photos -t udp://tracker.example:6969/announce\n  tandem create big.iso --hybrid --piece-length 1MiB -o big.torrent');
  addCommonFlags(cmd);
  return cmd.action((path: string, flags: CreateFlags) => runCommand(flags, () => runCreate(path, flags)));
}

async function runCreate(path: string, flags: CreateFlags): Promise<void> {
  const out = new Output(flags);
  const version: TorrentVersion = flags.hybrid ? 'hybrid' : flags.v2 ? 'v2' : 'v1';
  const pieceLengthBytes = flags.pieceLength === undefined ? undefined : parseBytes(flags.pieceLength, '--piece-length');
  const workers = flags.threads === undefined ? undefined : Number(flags.threads);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 256)) {
    throw new TandemError('CLI_USAGE', `--threads: "${flags.threads}" is not a number of threads from 0 to 256`, 'input');
  }
  const progress = new ByteProgress('hashing', flags);
  let created;
  try {
    created = await untilInterrupted(
      (signal) =>
        createTorrent(path, {
          version,
          pieceLengthBytes,
          trackers: flags.tracker,
          webSeeds: flags.webSeed,
          private: flags.private,
          name: flags.name,
          comment: flags.comment,
          createdBy: `tandem/${VERSION}`,
          creationDate: flags.date ? undefined : null,
          workers,
          signal,
          onProgress: (done, total) => progress.update(done, total),
        }),
      new TandemError('CLI_INTERRUPTED', 'interrupted'),
    );
  } finally {
    progress.stop();
  }
  const { metainfo, bytes } = created;
  const target = flags.output ?? `${metainfo.name}.torrent`;
  if (!flags.force && (await exists(target))) throw new TandemError('CLI_EXISTS', `${target} already exists (use --force to overwrite)`, 'input');
  await writeFile(target, bytes);
  const magnet = magnetFromMetainfo(metainfo);
  out.json({
    event: 'created',
    file: target,
    version: metainfo.version,
    infoHashV1: metainfo.infoHashV1?.toString('hex'),
    infoHashV2: metainfo.infoHashV2?.toString('hex'),
    pieceLengthBytes: metainfo.pieceLengthBytes,
    pieceCount: metainfo.pieceCount,
    magnet,
  });
  out.line(`wrote ${target}`);
  if (metainfo.infoHashV1) out.line(`info hash v1: ${metainfo.infoHashV1.toString('hex')}`);
  if (metainfo.infoHashV2) out.line(`info hash v2: ${metainfo.infoHashV2.toString('hex')}`);
  out.line(`magnet: ${magnet}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
