import { Command } from 'commander';

/**
 * Commands of the CLI contract that are not built yet. Each says so and exits 1, so scripts see a failure rather
 * than a silent success. A command moves out of this list when its own file exists.
 */
const PLANNED: [name: string, args: string, summary: string][] = [
  ['share', '<path>', 'make a torrent of a file or folder and seed it, printing the magnet link'],
  ['get', '<source>', 'download a magnet link, .torrent, http(s):// or tftp:// URL'],
  ['serve', '[dir]', 'serve a folder over HTTP and TFTP, and seed it'],
  ['tracker', '', 'run a BitTorrent tracker over HTTP and UDP'],
];

export function notBuiltCommands(built: Set<string>): Command[] {
  return PLANNED.filter(([name]) => !built.has(name)).map(([name, args, summary]) => {
    const cmd = new Command(name).description(`${summary} (not built yet)`).allowUnknownOption().allowExcessArguments();
    if (args) cmd.argument(args);
    return cmd.action(() => {
      process.stderr.write(`tandem: "${name}" is not built yet; see the README's "Not built yet" list\n`);
      process.exitCode = 1;
    });
  });
}
