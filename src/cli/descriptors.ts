// Starting within a few file descriptors. Node 20's ES module loader opens every file of an `import()`ed graph
// concurrently (over 64 for `get`), so under `ulimit -n 64` a command once died at start with a raw EMFILE stack;
// the executable now loads one bundle (scripts/build-cli.mjs), and a lack of descriptors later, at run time, is
// said in one line.

/**
 * The descriptor limit every command starts within. Measured on Node 20.20: under `ulimit -n 19` every command
 * loads and parses its arguments (Node alone needs 19 to open its entry file); was 80 with `import()`. Running a
 * download takes more (sockets, the disk-writer and hash threads): `get` of a one-file torrent needs 32.
 */
export const MIN_DESCRIPTORS = 20;

/** Whether `err`, or what caused it, is EMFILE or ENFILE (some wrap it in their own message, a worker's start). */
export function isOutOfDescriptors(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE' || /\b(EMFILE|ENFILE)\b/.test(e.message)) return true;
  }
  return false;
}
