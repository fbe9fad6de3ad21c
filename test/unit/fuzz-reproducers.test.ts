// Every input `npm run fuzz` ever saved as a failure (test/fixtures/fuzz/<decoder>/<hash>.bin) is fed again to its
// decoder, for good: each must now give a value or tandem's typed error, quickly, with its invariants kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { feed, fuzzTarget, REPRODUCER_DIR, saveReproducer } from '../fuzz/harness.js';
import { FUZZ_TARGETS, targetNamed } from '../fuzz/targets.js';
import { fuzzWatched } from '../fuzz/watchdog.js';

const folders = existsSync(REPRODUCER_DIR) ? readdirSync(REPRODUCER_DIR) : [];

test('every reproducer folder names a decoder the fuzzer has', () => {
  for (const name of folders) assert.ok(targetNamed(name), `test/fixtures/fuzz/${name} names no decoder (${FUZZ_TARGETS.map((t) => t.name).join(', ')})`);
});

for (const name of folders) {
  test(`fuzz reproducers: ${name}`, async () => {
    const target = targetNamed(name)!;
    const files = readdirSync(join(REPRODUCER_DIR, name)).filter((f) => f.endsWith('.bin'));
    try {
      for (const file of files) {
        const outcome = await feed(target, readFileSync(join(REPRODUCER_DIR, name, file)), 1000);
        assert.ok(!('message' in outcome), `${name}/${file}: ${'message' in outcome ? outcome.message : ''}`);
      }
    } finally {
      await target.close?.();
    }
  });
}

test('the harness catches an untyped exception and a slow input, and a saved reproducer replays the failure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-fuzz-'));
  try {
    const buggy = {
      name: 'buggy',
      about: 'throws a TypeError on inputs that start with 0xff, spins on 0xfe',
      seeds: () => [Buffer.from('ok')],
      run(input: Buffer) {
        if (input[0] === 0xff) throw new TypeError('boom');
        if (input[0] === 0xfe) for (const end = Date.now() + 30; Date.now() < end; );
      },
    };
    const r = await fuzzTarget(buggy, { count: 5000, seconds: 0, seed: 3, perInputMs: 20 });
    assert.deepEqual(r.failures.map((f) => f.message.split(':')[0]).sort(), ['TypeError', 'slow']);
    const path = await saveReproducer('buggy', r.failures.find((f) => f.message.startsWith('TypeError'))!, dir);
    assert.ok(readFileSync(path.replace(/\.bin$/, '.txt'), 'utf8').startsWith('TypeError: boom'));
    const again = await feed(buggy, readFileSync(path), 20);
    assert.ok('message' in again && again.message.startsWith('TypeError'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the watchdog stops a decoder that never returns, and keeps the input it was stuck on', async () => {
  const targets = new URL('../helpers/fuzz-hang.js', import.meta.url).href;
  const started = Date.now();
  const r = await fuzzWatched({ targets, name: 'hangs', budget: { count: 100, seconds: 0, seed: 1, perInputMs: 1000 } }, 500);
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0]!.message, /^hang: no answer in 500 ms on 3 bytes/);
  assert.deepEqual([...r.failures[0]!.input], [0xfd, 1, 2]);
  assert.ok(Date.now() - started < 5000, 'the stuck thread was stopped');
});
