import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const TANDEM_BIN = resolve(SRC, 'cli/main.js');

/** The modules a file loads at start: its static imports, followed (dynamic `import()` and type imports are not). */
function staticGraph(entry: string): Map<string, string | undefined> {
  const seen = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
      const next = resolve(dirname(file), (m[1] ?? m[2])!);
      if (!seen.has(next) && existsSync(next)) {
        seen.set(next, file);
        queue.push(next);
      }
    }
  }
  return seen;
}

test('start-up: a torrent download loads no server, and no client it does not use (many start at once: issue 13)', () => {
  const graph = staticGraph(resolve(SRC, 'cli/get-torrent.js'));
  const chain = (file: string): string => {
    const out: string[] = [];
    for (let f: string | undefined = file; f; f = graph.get(f)) out.push(relative(SRC, f));
    return out.join(' <- ');
  };
  for (const file of graph.keys()) {
    const rel = relative(SRC, file);
    assert.ok(!/^(ftp|tftp|compute|serve|api)\/|^http\/server|^tracker\/server\//.test(rel), `loaded at start: ${chain(file)}`);
  }
  assert.ok(graph.size < 200, `${graph.size} modules`);
});

test('start-up: a command that talks to a running daemon loads no part of the node itself (SQLite, the swarm)', () => {
  for (const command of ['ls', 'add', 'pause', 'limit', 'show', 'files', 'peers']) {
    const graph = staticGraph(resolve(SRC, `cli/commands/${command}.js`));
    for (const file of graph.keys()) {
      const rel = relative(SRC, file);
      assert.ok(!/^(swarm|storage|wire|dht|tracker)\/|^node\/(node|store|torrent-entry)\.js$/.test(rel), `tandem ${command} loads ${rel}`);
    }
  }
});

test('the command table names every file of cli/commands, and each builds the command it is named after', async () => {
  const { COMMANDS } = await import('../../src/cli/program.js');
  const files = readdirSync(resolve(SRC, 'cli/commands')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, ''));
  assert.deepEqual(Object.keys(COMMANDS).sort(), files.sort());
  for (const [name, load] of Object.entries(COMMANDS)) assert.equal(load().default().name(), name);
});

test('the bundled executable evaluates only what a command uses: `tandem create` loads no SQLite, WebSocket or Redis client', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.txt'), 'tandem');
  // Preloaded before the executable: lists what Node's CommonJS loader loaded (the bundle's packages) at exit.
  const preload = join(dir, 'loaded.cjs');
  writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded.json'))}, JSON.stringify(Object.keys(require.cache))));`);
  const cache = join(dir, 'cache');
  const env = { ...process.env, TANDEM_CODE_CACHE_DIR: cache };
  const r = spawnSync(process.execPath, ['-r', preload, TANDEM_BIN, 'create', join(dir, 'a.txt'), '-o', join(dir, 'a.torrent'), '--json'], { encoding: 'utf8', timeout: 30_000, env });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readdirSync(cache).filter((f) => f.includes('-create-')).length, 1, 'the bundle ran (its code cache was written)');
  const loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
  for (const f of loaded) assert.ok(!/[\\/]dist[\\/]src[\\/]|node_modules[\\/](better-sqlite3|ws|ioredis)[\\/]/.test(f), `tandem create loaded ${f}`);
});
