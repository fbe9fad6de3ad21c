// The tandem command line. Each subcommand lives in its own file in commands/ and default-exports a factory
// returning a commander Command; this file finds them, so adding a command touches no shared file.
import { readdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { loadModule } from '../util/load-module.js';
import { isOutOfDescriptors } from './load-command.js';
import { notBuiltCommands } from './not-built.js';
import { EXIT_USAGE } from './output.js';
import { VERSION } from '../util/version.js';

/**
 * Loads only the command being run, so one command's start-up cost (or breakage) never touches another; `--version`
 * loads none, and help and unknown names load them all.
 */
function loadCommands(requested: string | undefined): Command[] {
  if (requested === '-V' || requested === '--version') return [];
  const commandsDir = new URL('./commands/', import.meta.url);
  const files = readdirSync(commandsDir).filter((f) => f.endsWith('.js')).sort();
  const direct = files.find((f) => f === `${requested}.js`);
  const built: Command[] = [];
  for (const file of direct ? [direct] : files) {
    try {
      built.push(loadModule<{ default: () => Command }>(new URL(file, commandsDir)).default());
    } catch (err) {
      if (direct || isOutOfDescriptors(err)) throw err;
      process.stderr.write(`tandem: command ${file.replace(/\.js$/, '')} failed to load: ${(err as Error).message}\n`);
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
  for (const cmd of [...built, ...notBuiltCommands(new Set(built.map((c) => c.name())))]) {
    program.addCommand(cmd.exitOverride());
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version exit 0; every other parse error is bad usage (exit 2, DESIGN.md §4).
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
    process.exitCode = ok ? 0 : EXIT_USAGE;
  }
}
