import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedLimitReached, seedRatioTarget, type SeedRatioMode } from '../../src/node/seed-limit.js';

test('seed ratio: which limit applies (Transmission seedRatioMode 0, 1, 2) and when a torrent stops', () => {
  const cases: [SeedRatioMode, number, number, number | undefined][] = [
    ['global', 0, 2, 2],
    ['global', 5, 0, undefined], // the session has no limit (seedRatioLimited false)
    ['own', 1.5, 2, 1.5],
    ['own', 0, 2, 0], // Transmission: an own limit of 0 stops a torrent as soon as it is complete
    ['unlimited', 1, 2, undefined],
  ];
  for (const [mode, own, session, want] of cases) assert.equal(seedRatioTarget(mode, own, session), want, `${mode} ${own} ${session}`);
  assert.equal(seedLimitReached({ complete: true, ratio: 2 }, 2), true);
  assert.equal(seedLimitReached({ complete: true, ratio: 1.99 }, 2), false);
  assert.equal(seedLimitReached({ complete: false, ratio: 5 }, 2), false, 'a download is never stopped for its ratio');
  assert.equal(seedLimitReached({ complete: true, ratio: 100 }, undefined), false);
});
