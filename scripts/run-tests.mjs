#!/usr/bin/env node
// Runs the compiled test files of the given tiers (unit, integration, interop) with node's test runner.
// Node 20's runner takes no globs, so the files are listed here; tiers run in the order given.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tiers = process.argv.slice(2);
const root = fileURLToPath(new URL('../dist/test/', import.meta.url));

function listTests(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(listTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = tiers.flatMap((t) => listTests(join(root, t)));
if (files.length === 0) {
  console.error(`no test files found for tiers: ${tiers.join(', ')} (did the build run?)`);
  process.exit(1);
}
const filter = process.env.TEST_FILTER;
const chosen = filter ? files.filter((f) => f.includes(filter)) : files;
// Nothing in a test may reach the public DHT: with this set, a DHT node that would (no --dht-bootstrap, or a
// non-loopback node) fails loudly with DHT_PUBLIC_FORBIDDEN instead of sending a packet (src/dht/bootstrap.ts).
const env = { ...process.env, TANDEM_NO_PUBLIC_DHT: '1' };
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...chosen], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
