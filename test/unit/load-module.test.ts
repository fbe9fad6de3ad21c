// loadModule as tests and unbundled code use it: a literal specifier resolved against the caller's URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModule } from '../../src/util/load-module.js';

test('loadModule finds a module in a folder whose name a URL escapes (a space, a non-ASCII letter)', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'tandem-load-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'my files é');
  mkdirSync(dir);
  writeFileSync(join(dir, 'answer.mjs'), 'export const answer = 42;\n');
  const caller = pathToFileURL(join(dir, 'caller.js')).href;
  assert.equal(loadModule<{ answer: number }>('./answer.mjs', caller).answer, 42);
});
