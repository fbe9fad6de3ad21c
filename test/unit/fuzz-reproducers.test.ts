// Every input `npm run fuzz` ever saved as a failure (test/fixtures/fuzz/<decoder>/<hash>.bin) is fed again to its
// decoder, for good: each must now give a value or tandem's typed error, quickly, with its invariants kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { feed, REPRODUCER_DIR } from '../fuzz/harness.js';
import { FUZZ_TARGETS, targetNamed } from '../fuzz/targets.js';

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
