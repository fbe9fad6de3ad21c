// The executable's V8 code cache (src/cli/bundle-loader.ts), through the real executable: written on a first run,
// taken as it is by the next, rewritten when V8 refuses it, and never a reason to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir } from '../../src/cli/bundle-loader.js';
import { VERSION } from '../../src/util/version.js';

const TANDEM_BIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

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
  assert.match(files[0]!, /^cli-[0-9a-f]{8}-other-[0-9a-f]{24}\.v8cache$/);
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

test('code cache: a folder that cannot be made costs nothing but the cache', () => {
  version('/dev/null/tandem-cache');
});

test('code cache: TANDEM_CODE_CACHE_DIR names the folder (empty: none), else the XDG cache folder', () => {
  assert.equal(codeCacheDir({ TANDEM_CODE_CACHE_DIR: '/x' }), '/x');
  assert.equal(codeCacheDir({ TANDEM_CODE_CACHE_DIR: '' }), undefined);
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/c' }), '/c/tandem');
});
