#!/usr/bin/env node
// The tandem executable: a bootstrap that loads the command line (program.ts) one file at a time, so tandem
// starts within MIN_DESCRIPTORS file descriptors, and says so in one line when it cannot.
import { isOutOfDescriptors, loadModule, MIN_DESCRIPTORS } from './load-command.js';

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
