// Runs the command line's CommonJS bundle (scripts/build-cli.mjs) with a V8 code cache kept per user, as Node 22's
// compile cache does for every module (`module.enableCompileCache`, which Node 20 lacks). Compiling the 0.9 MB
// bundle and then each function it calls is about a tenth of a short command's CPU: a 2 MB `tandem get` from a
// local share spent 0.200 CPU-s with the cache against 0.226 without (25 runs each, in turn).
//
// The cache is V8's own format. V8 refuses one made by another V8 or with other flags, but of the source it checks
// only the length: the file's name holds the bundle's id (the SHA-256 of its text, written into its first line by
// the build), so a rebuilt or upgraded bundle never meets an old cache, whatever its size and time. It is written at
// exit when there was none or V8 refused it, with the functions that ran compiled; one per command, so that the
// first `tandem --version` does not stand for every `tandem get` after it.
// Anything failing (a read-only home, a full disk, a sandbox without file access) only means no cache.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

type CommonJsBody = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

/** Where the cache lives: TANDEM_CODE_CACHE_DIR (empty: no cache), else the user's cache folder. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.TANDEM_CODE_CACHE_DIR;
  if (set !== undefined) return set === '' ? undefined : set;
  try {
    return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tandem');
  } catch {
    return undefined;
  }
}

/** Runs `file`, a CommonJS script, as Node would run it, compiled from `cacheDir`'s code cache when there is one. */
export function runBundle(file: string, cacheDir = codeCacheDir()): void {
  // One byte per character: the build checks that the bundle is ASCII, and V8 then keeps it as a one-byte string.
  const source = readFileSync(file, 'latin1');
  const id = /tandem-bundle-id:([0-9a-f]{64})/.exec(source.slice(0, 200))?.[1];
  const mine = id === undefined ? undefined : installation(file, id);
  const cachePath = cacheDir === undefined || mine === undefined ? undefined : cacheFile(mine, cacheDir);
  const cachedData = cachePath === undefined ? undefined : readOrNone(cachePath);
  // The wrapper opens on the source's first line, so line numbers in stack traces are the file's.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cachePath !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => saveCache(script, cachePath, mine!));
  }
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsBody)(module.exports, createRequire(file), module, file, dirname(file));
}

interface Installation {
  /** The start of every cache name of this copy of tandem. */
  path: string;
  /** The start of every cache name of this copy's bundle. */
  prefix: string;
}

/**
 * `cli-INSTALLATION-BUNDLE-COMMAND-FLAGS.v8cache`: what V8 does not check is in the name (the Node version and flags
 * too, so that V8 does not refuse, and rewrite, one file in turn for two ways of starting).
 */
function cacheFile(mine: Installation, dir: string): string {
  const command = /^[a-z]{1,20}$/.test(process.argv[2] ?? '') ? process.argv[2]! : 'other';
  const flags = [process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0');
  return join(dir, `${mine.prefix}${command}-${hex(flags, 16)}.v8cache`);
}

/**
 * The name prefix of one installation's caches for one bundle: the path's hash first, so that two copies of tandem
 * never delete each other's caches, then the bundle's id.
 */
function installation(file: string, id: string): Installation {
  const path = `cli-${hex(file, 8)}-`;
  return { path, prefix: `${path}${id.slice(0, 16)}-` };
}

function hex(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function readOrNone(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache whole or not at all (a temporary file renamed), and drops this installation's caches of other
 * bundles (an earlier build's, an older version's).
 */
function saveCache(script: Script, path: string, mine: Installation): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    renameSync(temporary, path);
    for (const name of readdirSync(dir)) if (name.startsWith(mine.path) && !name.startsWith(mine.prefix)) unlinkSync(join(dir, name));
  } catch {
    // No cache this time.
  }
}
