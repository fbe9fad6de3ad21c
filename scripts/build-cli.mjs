#!/usr/bin/env node
// Bundles the command line (dist/src/cli/run.js, as tsc wrote it, and every module it may load) into one CommonJS
// file, dist/src/cli/tandem.cjs, which the executable (dist/src/cli/main.js) loads. Why (src/cli/run.ts): Node's
// ES module loader spends about 1 ms per module, and a `tandem get` loads 157 of them.
//
// CommonJS, not ESM, because in a CommonJS bundle a module that is loaded lazily (esbuild wraps it in an init
// function) also loads its packages and Node built-ins lazily, inside that function; an ESM bundle hoists every
// import to the top, so each start would load SQLite, ws, https and the rest. Two rewrites make the ESM sources fit:
// - `loadModule('./x.js', import.meta.url)` and `loadPackage('name')` (util/load-module.ts) become `require()`
//   calls, which esbuild bundles and evaluates on first call;
// - every other `import.meta.url` becomes the URL that module has in dist/, so worker scripts, package.json and
//   the web UI's files are found where they are.
// The build fails if either is left in the bundle, so a lazy load that esbuild cannot see is never silently
// loaded from dist/ beside the bundle (a second copy of every module it imports).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cliDir = join(root, 'dist', 'src', 'cli');
const outfile = join(cliDir, 'tandem.cjs');
const BUNDLE_URL = '__tandemBundleUrl';
/** The banner names the bundle by the SHA-256 of its text, for its code caches (src/cli/bundle-loader.ts). */
const ID_PLACEHOLDER = `tandem-bundle-id:${'0'.repeat(64)}`;

/** Packages loaded from node_modules at run time: native code, or code only the daemon and servers use. */
const EXTERNAL = ['better-sqlite3', 'esbuild', 'ioredis', 'ws'];

const LOAD_MODULE = /\bloadModule(?:<[^>]*>)?\(\s*('[^']+')\s*,\s*import\.meta\.url\s*\)/g;
const LOAD_PACKAGE = /\bloadPackage(?:<[^>]*>)?\(\s*('[^']+')\s*\)/g;

/** dist/src's modules as the bundle needs them (the rewrites above). */
const rewriteDistModules = {
  name: 'tandem-dist-modules',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, (args) => {
      const original = readFileSync(args.path, 'utf8');
      const here = JSON.stringify(relative(cliDir, args.path));
      const contents = original
        .replace(LOAD_MODULE, 'require($1)')
        .replace(LOAD_PACKAGE, 'require($1)')
        .replaceAll('import.meta.url', `new URL(${here}, ${BUNDLE_URL}).href`);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  entryPoints: [join(cliDir, 'run.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  plugins: [rewriteDistModules],
  banner: { js: `'use strict';/*${ID_PLACEHOLDER}*/\nconst ${BUNDLE_URL} = require('node:url').pathToFileURL(__filename).href;` },
  sourcemap: 'linked',
  // Whitespace and comments out (half the bytes to read and parse, and no non-Latin-1 character in a comment that
  // would make V8 hold the whole source as a two-byte string); names are kept, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// The id replaces a placeholder of its own length, so no line or column of the source map moves.
const built = readFileSync(outfile, 'utf8');
const bundle = built.replace(ID_PLACEHOLDER, `tandem-bundle-id:${createHash('sha256').update(built).digest('hex')}`);
writeFileSync(outfile, bundle);
const left = [...bundle.matchAll(/\bloadModule\(|\bloadPackage\(|import\.meta/g)].filter((m) => bundle.slice(m.index - 9, m.index) !== 'function ');
if (left.length > 0) {
  for (const m of left) console.error(`build-cli: left in the bundle: ...${bundle.slice(m.index - 80, m.index + 80)}...`);
  console.error('build-cli: write lazy loads as loadModule(\'./literal.js\', import.meta.url) so the bundle holds them');
  process.exit(1);
}
// main.js reads the bundle as Latin-1, one byte per character (src/cli/bundle-loader.ts).
const nonAscii = [...bundle].findIndex((c) => c.charCodeAt(0) > 0x7f);
if (nonAscii >= 0) {
  console.error(`build-cli: a character beyond ASCII in the bundle: ...${bundle.slice(nonAscii - 80, nonAscii + 20)}`);
  process.exit(1);
}
chmodSync(outfile, 0o644);
if (process.env.CLI_BUILD_VERBOSE) {
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(`cli: ${inputs} modules, ${bundle.length} bytes in ${relative(root, outfile)}`);
}
