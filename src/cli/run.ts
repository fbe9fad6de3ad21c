// The tandem executable's body. scripts/build-cli.mjs bundles it, with everything it may load, into one file
// (dist/src/cli/tandem.cjs) that main.ts loads: measured on Node 20.20, loading the 157 modules of a `tandem get`
// one by one cost 0.20 CPU-s and the same code bundled 0.03 (Node's ES module loader resolves, reads, compiles and
// links each file), and sixteen `tandem get` start at once in the lab (issue 13). The bundle evaluates a module
// only when first used, as the unbundled code does (util/load-module.ts).
import { isOutOfDescriptors, MIN_DESCRIPTORS } from './descriptors.js';
import { runCli } from './program.js';

// A reader that closes the pipe early (`tandem info x | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

runCli(process.argv).catch((err: unknown) => {
  if (!isOutOfDescriptors(err)) {
    // Thrown outside the promise: Node prints it and exits 1, as for any uncaught error.
    process.nextTick(() => {
      throw err;
    });
    return;
  }
  process.stderr.write(`tandem: out of file descriptors (${(err as Error).message}); tandem starts within ${MIN_DESCRIPTORS}: raise the limit with ulimit -n\n`);
  process.exitCode = 1;
});
