// LIST/NLST wildcards: `*` and `?` in the last segment only, matched without a regular expression.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, splitGlob } from '../../src/ftp/glob.js';

test('glob: * matches any run (also none), ? exactly one character, the rest literally', () => {
  const cases: [string, string, boolean][] = [
    ['*.txt', 'a.txt', true],
    ['*.txt', '.txt', true],
    ['*.txt', 'a.txt.bak', false],
    ['f?.bin', 'f1.bin', true],
    ['f?.bin', 'f12.bin', false],
    ['*', '', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYc d', false],
    ['[ab]', 'a', false], // no bracket classes: taken literally
    ['[ab]', '[ab]', true],
    ['é*', 'été', true],
    ['?', 'é', true], // one character, not one byte
  ];
  for (const [p, n, want] of cases) assert.equal(globMatch(p, n), want, `${p} ~ ${n}`);
});

test('glob: a pattern of many stars against a long name that almost matches stays fast', () => {
  const pattern = 'a*'.repeat(120) + 'b';
  const name = 'a'.repeat(255);
  const started = process.hrtime.bigint();
  assert.equal(globMatch(pattern, name), false);
  // Bounded by pattern × name steps (~60,000 here), not by the number of ways to place the stars.
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n);
});

test('glob: only a wildcard last segment makes a pattern; the folder part is kept as written', () => {
  assert.deepEqual(splitGlob('*.txt'), { dir: '', pattern: '*.txt' });
  assert.deepEqual(splitGlob('sub/deep/f?.bin'), { dir: 'sub/deep/', pattern: 'f?.bin' });
  assert.deepEqual(splitGlob('/*'), { dir: '/', pattern: '*' });
  assert.equal(splitGlob('s*b/a.txt'), undefined);
  assert.equal(splitGlob('plain.txt'), undefined);
  assert.equal(splitGlob('x'.repeat(300) + '*'), undefined);
});
