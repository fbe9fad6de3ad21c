import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { VolunteerState } from '../../src/compute/volunteer-state.js';
import { tempDir } from '../helpers/tmp.js';

test('two slots caching the same file at once both succeed, and leave one whole file', async (t) => {
  const state = new VolunteerState(await tempDir(t));
  await state.init();
  const data = randomBytes(256 * 1024);
  const sha256 = createHash('sha256').update(data).digest('hex');
  // Before each write had a name of its own, the second rename found the first had taken the temporary file.
  await Promise.all(Array.from({ length: 8 }, () => state.cacheFile(sha256, data)));
  assert.deepEqual(await state.cachedFile(sha256), data);
  assert.deepEqual(await readdir(state.filesDir), [sha256], 'no temporary file left behind');
});
