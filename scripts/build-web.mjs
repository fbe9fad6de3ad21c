#!/usr/bin/env node
// Bundles the web UI (web/src/main.tsx and its CSS) into dist/web/ with esbuild, writes index.html beside it,
// and fails the build when the page passes its budget (150 KB gzipped, issue 12): a budget nobody checks is a wish.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'web');
const BUDGET_GZIP_BYTES = 150 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'web', 'src', 'main.tsx') },
  bundle: true,
  minify: !process.env.WEB_BUILD_DEBUG,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
// No inline script or style, so the daemon may send a strict Content-Security-Policy.
writeFileSync(join(out, 'index.html'), readFileSync(join(root, 'web', 'index.html')));
writeFileSync(join(out, 'icon.svg'), readFileSync(join(root, 'web', 'icon.svg')));

let total = 0;
for (const name of readdirSync(out)) total += gzipSync(readFileSync(join(out, name)), { level: 9 }).length;
if (total > BUDGET_GZIP_BYTES) {
  console.error(`web UI is ${total} bytes gzipped, over its budget of ${BUDGET_GZIP_BYTES}`);
  process.exit(1);
}
if (process.env.WEB_BUILD_VERBOSE) console.log(`web UI: ${total} bytes gzipped in dist/web/`);
