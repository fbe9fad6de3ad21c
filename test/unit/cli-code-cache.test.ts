// The executable's V8 code cache (src/cli/bundle-loader.ts), through the real executable: written on a first run,
// taken as it is by the next, rewritten when V8 refuses it, and never a reason to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir } from '../../src/cli/bundle-loader.js';
import { VERSION } from '../../src/util/version.js';

const TANDEM_BIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const NPM_TIME = new Date('1985-10-26T08:15:00Z');

function version(cacheDir: string): void {
  const r = spawnSync(process.execPath, [TANDEM_BIN, '--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TANDEM_CODE_CACHE_DIR: cacheDir } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), VERSION);
}

test('code cache: written by the first run, taken unchanged by the second, rewritten when it is garbage', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-code-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  version(dir);
  const files = readdirSync(dir);
  assert.equal(files.length, 1, files.join(', '));
  assert.match(files[0]!, /^cli-[0-9a-f]{8}-[0-9a-f]{16}-other-[0-9a-f]{16}\.v8cache$/);
  const path = join(dir, files[0]!);
  const first = statSync(path);
  version(dir);
  assert.equal(statSync(path).mtimeMs, first.mtimeMs, 'V8 took the cache: nothing was written again');

  const garbage = Buffer.alloc(first.size, 0x5a);
  writeFileSync(path, garbage);
  version(dir);
  assert.ok(!readFileSync(path).equals(garbage), 'V8 refused the garbage, and a good cache replaced it');
  assert.deepEqual(readdirSync(dir), files, 'no temporary file is left');
});

test('code cache: a bundle rebuilt with the same length never runs from the old cache, which is deleted', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-code-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'bundle.cjs');
  const cache = join(dir, 'cache');
  const loader = new URL('../../src/cli/bundle-loader.js', import.meta.url).href;
  // V8 checks a cache against the source's length only: these two have the same length and say different things,
  // and the same time, as npm gives every file it unpacks.
  const run = (id: string, word: string): string => {
    writeFileSync(bundle, `'use strict';/*tandem-bundle-id:${id.repeat(64)}*/\nprocess.stdout.write(${JSON.stringify(word)});\n`);
    utimesSync(bundle, NPM_TIME, NPM_TIME);
    const script = `import(${JSON.stringify(loader)}).then((m) => m.runBundle(${JSON.stringify(bundle)}, ${JSON.stringify(cache)}));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(run('a', 'first'), 'first');
  assert.equal(run('a', 'first'), 'first');
  const [first] = readdirSync(cache);
  assert.equal(run('b', 'other'), 'other');
  const after = readdirSync(cache);
  assert.equal(after.length, 1, after.join(', '));
  assert.notEqual(after[0], first, 'the first bundle\'s cache is gone');
});

test('code cache: a folder that cannot be made costs nothing but the cache', () => {
  version('/dev/null/tandem-cache');
});

test('code cache: TANDEM_CODE_CACHE_DIR names the folder (empty: none), else the XDG cache folder', () => {
  assert.equal(codeCacheDir({ TANDEM_CODE_CACHE_DIR: '/x' }), '/x');
  assert.equal(codeCacheDir({ TANDEM_CODE_CACHE_DIR: '' }), undefined);
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/c' }), '/c/tandem');
});
