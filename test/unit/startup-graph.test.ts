import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

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
