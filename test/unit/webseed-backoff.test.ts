import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseSeed, SeedHealth, type FileNeed } from '../../src/webseed/index.js';

const ranged: FileNeed[] = [{ fileIndex: 0, whole: false, fileLength: 10_000_000 }];
const other: FileNeed[] = [{ fileIndex: 1, whole: false, fileLength: 10_000_000 }];
const opts = { maxInFlight: 2, missingFileBackoffMs: 600_000, backoffBaseMs: 1_000, backoffMaxMs: 8_000, noRangesWholeFileMaxBytes: 1_000 };

describe('webseed health policy', () => {
  it('caps requests in flight and frees a slot on release', () => {
    const h = new SeedHealth(opts);
    assert.equal(h.blocker(0, ranged), undefined);
    assert.equal(h.acquire(), true);
    assert.equal(h.acquire(), true);
    assert.equal(h.acquire(), false, 'third request over the cap of 2');
    assert.equal(h.blocker(0, ranged), 'full');
    h.release({ kind: 'ok' }, 0);
    assert.equal(h.inFlight, 1);
    assert.equal(h.blocker(0, ranged), undefined);
  });

  it('404/410 marks only that file missing, for a long time, without backing off the seed', () => {
    const h = new SeedHealth(opts);
    h.acquire();
    h.release({ kind: 'missing', fileIndex: 0 }, 1_000);
    assert.equal(h.blocker(1_000, ranged), 'missing');
    assert.equal(h.blocker(1_000, other), undefined, 'other files still served');
    assert.equal(h.blocker(600_999, ranged), 'missing');
    assert.equal(h.blocker(601_000, ranged), undefined, 'forgotten after missingFileBackoffMs');
    assert.equal(h.consecutiveFailures, 0);
  });

  it('5xx/timeouts back off exponentially up to the cap, and a success resets the count', () => {
    const h = new SeedHealth(opts);
    const steps: [number, number][] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      h.acquire();
      h.release({ kind: 'error' }, now);
      steps.push([h.consecutiveFailures, h.retryAtMs - now]);
      assert.equal(h.blocker(h.retryAtMs - 1, ranged), 'backoff');
      assert.equal(h.blocker(h.retryAtMs, ranged), undefined);
      now = h.retryAtMs;
    }
    assert.deepEqual(steps, [[1, 1_000], [2, 2_000], [3, 4_000], [4, 8_000], [5, 8_000], [6, 8_000]]);
    h.acquire();
    h.release({ kind: 'ok' }, now);
    assert.equal(h.consecutiveFailures, 0);
    h.acquire();
    h.release({ kind: 'error' }, now);
    assert.equal(h.retryAtMs - now, 1_000, 'back to the base after a success');
  });

  it("honours a server's Retry-After when longer than the computed backoff", () => {
    const h = new SeedHealth(opts);
    h.acquire();
    h.release({ kind: 'error', retryAfterMs: 30_000 }, 5);
    assert.equal(h.retryAtMs, 30_005);
    const h2 = new SeedHealth(opts);
    h2.acquire();
    h2.release({ kind: 'error', retryAfterMs: 0 }, 5);
    assert.equal(h2.retryAtMs, 1_005, 'Retry-After: 0 cannot cause a tight loop');
  });

  it('a seed that ignores Range serves only whole files and small files', () => {
    const h = new SeedHealth(opts);
    h.acquire();
    h.release({ kind: 'no-ranges' }, 0);
    assert.equal(h.ignoresRanges, true);
    assert.equal(h.consecutiveFailures, 0);
    assert.equal(h.blocker(0, ranged), 'no-ranges');
    assert.equal(h.blocker(0, [{ fileIndex: 0, whole: true, fileLength: 10_000_000 }]), undefined);
    assert.equal(h.blocker(0, [{ fileIndex: 0, whole: false, fileLength: 1_000 }]), undefined, 'small enough to fetch whole');
  });

  it('aborted requests cost nothing', () => {
    const h = new SeedHealth(opts);
    h.acquire();
    h.release({ kind: 'aborted' }, 0);
    assert.equal(h.inFlight, 0);
    assert.equal(h.consecutiveFailures, 0);
    assert.equal(h.blocker(0, ranged), undefined);
    h.release({ kind: 'aborted' }, 0);
    assert.equal(h.inFlight, 0, 'never below zero');
  });

  it('chooseSeed picks the least loaded usable seed, the url-list order breaking ties', () => {
    const a = new SeedHealth(opts);
    const b = new SeedHealth(opts);
    const c = new SeedHealth(opts);
    assert.equal(chooseSeed([a, b, c], 0, ranged), 0);
    a.acquire();
    assert.equal(chooseSeed([a, b, c], 0, ranged), 1);
    b.acquire();
    b.release({ kind: 'error' }, 0);
    assert.equal(chooseSeed([a, b, c], 0, ranged), 2, 'b is backed off');
    assert.equal(chooseSeed([a, b, c], 0, ranged, new Set([2])), 0, 'c excluded');
    a.acquire();
    assert.equal(chooseSeed([a, b], 0, ranged), -1, 'a full, b backed off');
  });

  it('rejects a cap below one', () => {
    assert.throws(() => new SeedHealth({ maxInFlight: 0 }), RangeError);
  });
});
