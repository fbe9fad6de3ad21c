#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation stops at 2 × 4 MiB instead of 2 × 16 MiB. A burst of adds grew it
// to 32 MiB that stayed resident: 3.2 KiB of the daemon's 5.9 KiB per torrent at 10,000 torrents. The peer path
// allocates its blocks outside the V8 heap, and a 1 GiB transfer spent the same CPU with it (3.22-3.39 s against
// 3.30-3.37 s for the leecher, three runs each).
// The tandem executable: a bootstrap that loads the command line (program.ts) one file at a time, so tandem
// starts within MIN_DESCRIPTORS file descriptors, and says so in one line when it cannot.
import { loadModule } from '../util/load-module.js';
import { isOutOfDescriptors, MIN_DESCRIPTORS } from './load-command.js';

// A reader that closes the pipe early (`tandem info x | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  const cli = loadModule<typeof import('./program.js')>(new URL('./program.js', import.meta.url));
  await cli.runCli(process.argv);
} catch (err) {
  if (!isOutOfDescriptors(err)) throw err;
  process.stderr.write(`tandem: out of file descriptors (${(err as Error).message}); tandem starts within ${MIN_DESCRIPTORS}: raise the limit with ulimit -n\n`);
  process.exitCode = 1;
}
