// Loads code only when the code that needs it runs, synchronously. `require()` of an ES module (Node >= 20.19)
// links its graph one file open at a time, where `import()` opens every file of it at once (see
// cli/load-command.ts). Used for what a run may not need at all: the DHT under --no-dht, LSD, progress bars under
// --json. Each of those cost a one-shot `tandem get` its share of start-up: loading and compiling code is most of
// the 0.2 CPU-s a `get` spends before its first request, and sixteen of them start at once in the lab.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Loads an ES module of this package synchronously; it must have no top-level await. */
export function loadModule<T>(url: URL): T {
  return require(fileURLToPath(url)) as T;
}

/** Loads a dependency (a package name) synchronously. */
export function loadPackage<T>(name: string): T {
  return require(name) as T;
}
