// Loads code only when the code that needs it runs, synchronously. Used for what a run may not need at all: the DHT
// under --no-dht, LSD, progress bars under --json, SQLite for a one-shot download, each command but the one run.
// Each of those cost a one-shot `tandem get` its share of start-up, and sixteen of them start at once in the lab.
//
// Write the specifier as a string literal: the CLI bundle (scripts/build-cli.mjs) turns
// `loadModule('./x.js', import.meta.url)` and `loadPackage('name')` into requires that it bundles, evaluated when
// first called, as here. Unbundled (tests import dist/src directly), `require()` of an ES module (Node >= 20.19)
// loads the module's graph synchronously.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Loads an ES module of this package synchronously, `specifier` relative to `base` (the caller's import.meta.url). */
export function loadModule<T>(specifier: string, base: string): T {
  return require(fileURLToPath(new URL(specifier, base))) as T;
}

/** Loads a dependency (a package name) synchronously. */
export function loadPackage<T>(name: string): T {
  return require(name) as T;
}
