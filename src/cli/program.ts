// The tandem command line. Each subcommand lives in its own file in commands/ and default-exports a factory
// returning a commander Command; COMMANDS names them, with literal paths, so the CLI bundle (scripts/build-cli.mjs)
// holds them all and still evaluates only the one run.
import { Command, CommanderError } from 'commander';
import { loadModule } from '../util/load-module.js';
import { isOutOfDescriptors } from './descriptors.js';
import { EXIT_USAGE } from './output.js';
import { VERSION } from '../util/version.js';

type CommandModule = { default: () => Command };

/** Every command, by name, loaded when called. */
export const COMMANDS: Record<string, () => CommandModule> = {
  add: () => loadModule('./commands/add.js', import.meta.url),
  compute: () => loadModule('./commands/compute.js', import.meta.url),
  create: () => loadModule('./commands/create.js', import.meta.url),
  daemon: () => loadModule('./commands/daemon.js', import.meta.url),
  files: () => loadModule('./commands/files.js', import.meta.url),
  get: () => loadModule('./commands/get.js', import.meta.url),
  info: () => loadModule('./commands/info.js', import.meta.url),
  lab: () => loadModule('./commands/lab.js', import.meta.url),
  limit: () => loadModule('./commands/limit.js', import.meta.url),
  ls: () => loadModule('./commands/ls.js', import.meta.url),
  pause: () => loadModule('./commands/pause.js', import.meta.url),
  peers: () => loadModule('./commands/peers.js', import.meta.url),
  reannounce: () => loadModule('./commands/reannounce.js', import.meta.url),
  resume: () => loadModule('./commands/resume.js', import.meta.url),
  rm: () => loadModule('./commands/rm.js', import.meta.url),
  serve: () => loadModule('./commands/serve.js', import.meta.url),
  share: () => loadModule('./commands/share.js', import.meta.url),
  show: () => loadModule('./commands/show.js', import.meta.url),
  tracker: () => loadModule('./commands/tracker.js', import.meta.url),
  verify: () => loadModule('./commands/verify.js', import.meta.url),
};

/**
 * Loads only the command being run, so one command's start-up cost (or breakage) never touches another; `--version`
 * loads none, and help and unknown names load them all.
 */
function loadCommands(requested: string | undefined): Command[] {
  if (requested === '-V' || requested === '--version') return [];
  const direct = requested !== undefined && Object.hasOwn(COMMANDS, requested) ? requested : undefined;
  const built: Command[] = [];
  for (const name of direct ? [direct] : Object.keys(COMMANDS)) {
    try {
      built.push(COMMANDS[name]!().default());
    } catch (err) {
      if (direct || isOutOfDescriptors(err)) throw err;
      process.stderr.write(`tandem: command ${name} failed to load: ${(err as Error).message}\n`);
    }
  }
  return built;
}

/** Parses `argv` and runs the command it names; sets process.exitCode. */
export async function runCli(argv: string[]): Promise<void> {
  const built = loadCommands(argv[2]);
  const program = new Command('tandem')
    .description('client, server and peer in one program: BitTorrent, HTTP, TFTP, FTP, a tracker, a daemon with a web UI, shared computing')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const cmd of built) program.addCommand(cmd.exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version exit 0; every other parse error is bad usage (exit 2, DESIGN.md §4).
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    process.exitCode = ok ? 0 : EXIT_USAGE;
  }
}
