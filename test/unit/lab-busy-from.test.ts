import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyFromSeconds, clientsBusyFrom, serverBusyFrom } from '../../src/lab/busy-from.js';

// 10 Mbit/s is 1,250,000 bytes a second: half of it over a 0.5 s sample is 312,500 bytes.
const BPS = 10e6;

test('busy from: the end of the first sample interval at half the link rate or more, not the acknowledgements before it', () => {
  const t = [0, 0.5, 1, 1.5, 2, 2.5];
  // A download's acknowledgements (20 KB a sample), then real uploading from 1.5 s to 2 s.
  const bytes = [0, 20_000, 40_000, 60_000, 460_000, 1_000_000];
  assert.equal(busyFromSeconds(t, bytes, BPS), 2);
  assert.equal(busyFromSeconds(t, [0, 20_000, 40_000, 332_499, 352_000, 372_000], BPS), undefined, 'just under half the rate is not busy');
  assert.equal(busyFromSeconds(t, [0, 20_000, 40_000, 352_500, 372_000, 392_000], BPS), 1.5, 'exactly half is');
  assert.equal(busyFromSeconds([0, 0.5, 0.5, 1], [0, 0, 400_000, 400_000], BPS), undefined, 'a zero-length interval counts for nothing');
  assert.equal(busyFromSeconds([], [], BPS), undefined);
});

test('busy from: one time per client, the server left out, NaN for a client that never uploaded', () => {
  const series = {
    tSeconds: [0, 1, 2],
    hosts: [
      { name: 'server', bytes: [0, 2_500_000, 5_000_000] },
      { name: 'c1', bytes: [0, 700_000, 1_400_000] },
      { name: 'c2', bytes: [0, 10_000, 900_000] },
      { name: 'c3', bytes: [0, 10_000, 20_000] },
    ],
  };
  const got = clientsBusyFrom(series, BPS);
  assert.deepEqual(got.slice(0, 2), [1, 2]);
  assert.ok(Number.isNaN(got[2]));
  assert.equal(serverBusyFrom(series, 20e6), 1, 'the server at 2.5 MB in the first second: half its 20 Mbit/s');
  assert.ok(Number.isNaN(serverBusyFrom(series, 100e6)), 'never busy on a faster link');
  assert.ok(Number.isNaN(serverBusyFrom({ tSeconds: [0, 1], hosts: [] }, BPS)), 'no server in the series');
});
