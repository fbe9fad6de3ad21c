// The pure compute policies driven step by step with time passed in: transitioner, validator, credit, quota.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Instance, WorkUnit } from '../../src/compute/model.js';
import { transition } from '../../src/compute/transitioner.js';
import { majorityOf, validate } from '../../src/compute/validator.js';
import { addCredit, claimedCredit } from '../../src/compute/credit.js';
import { initialQuota, onFailure, onValid, recordSent, remainingToday } from '../../src/compute/quota.js';

function wu(over: Partial<WorkUnit> = {}): WorkUnit {
  return {
    id: 1, name: 'wu1', appName: 'app', bounds: { cpuSeconds: 10, memoryBytes: 1 << 20, outputBytes: 1 << 20 },
    minQuorum: 2, targetNResults: 2, maxErrorResults: 3, maxTotalResults: 6, maxSuccessResults: 5, delayBoundMs: 1000,
    state: 'active', error: null, canonicalInstanceId: null, canonicalCredit: null, assimilated: false, createdAtMs: 0, ...over,
  };
}

/**
 * Instances written as one string, one letter each: U unsent, P in progress (deadline 1000), S success with digest
 * 'a', s success with digest 'b', E client error, N no reply, v valid (digest a), x invalid, i inconclusive (a), j inconclusive (b).
 */
function row(spec: string): Instance[] {
  return [...spec].map((c, n) => {
    const base: Instance = {
      id: n + 1, workUnitId: 1, name: `i${n + 1}`, serverState: 'over', outcome: 'success', validateState: 'init', hostId: n + 1,
      sentAtMs: 0, deadlineMs: 1000, receivedAtMs: n * 10, outputSha256: 'a', outputBytes: 1, cpuSeconds: 1, claimedCredit: 10 + n, grantedCredit: null,
    };
    switch (c) {
      case 'U': return { ...base, serverState: 'unsent', outcome: null, hostId: null, deadlineMs: null, outputSha256: null };
      case 'P': return { ...base, serverState: 'in_progress', outcome: null, outputSha256: null };
      case 'S': return base;
      case 's': return { ...base, outputSha256: 'b' };
      case 'E': return { ...base, outcome: 'client_error', outputSha256: null };
      case 'N': return { ...base, outcome: 'no_reply', outputSha256: null };
      case 'v': return { ...base, validateState: 'valid' };
      case 'x': return { ...base, outputSha256: 'b', validateState: 'invalid' };
      case 'i': return { ...base, validateState: 'inconclusive' };
      case 'j': return { ...base, outputSha256: 'b', validateState: 'inconclusive' };
      default: throw new Error(`bad letter ${c}`);
    }
  });
}

describe('compute transitioner', () => {
  const cases: [name: string, spec: string, over: Partial<WorkUnit>, now: number, create: number, fail: string | null, validate: boolean, changed: string][] = [
    ['a new work unit gets its target of copies', '', {}, 0, 2, null, false, ''],
    ['copies out: nothing to do before the deadline', 'PP', {}, 999, 0, null, false, ''],
    ['a missed deadline is a no-reply and is replaced', 'PP', {}, 1001, 2, null, false, '1:no_reply 2:no_reply'],
    ['one error replaced', 'SE', {}, 0, 1, null, false, ''],
    ['two successes wait for the validator', 'SS', {}, 0, 0, null, true, ''],
    ['already judged inconclusive: nothing new to judge', 'ii', { targetNResults: 3 }, 0, 1, null, false, ''],
    ['a new success next to inconclusive ones is judged', 'iiS', { targetNResults: 3 }, 0, 0, null, true, ''],
    ['errors beyond the limit fail the work unit', 'EEEE', {}, 0, 0, 'too_many_errors', false, ''],
    ['errors at the limit do not', 'EEE', {}, 0, 2, null, false, ''],
    ['unsent copies are not needed once it failed', 'EEEEU', {}, 0, 0, 'too_many_errors', false, '5:didnt_need'],
    ['never more than max total', 'EEPPP', { maxTotalResults: 5, maxErrorResults: 9 }, 0, 0, null, false, ''],
    ['total reached with nothing open: failed', 'xxEEEx', { maxErrorResults: 9 }, 0, 0, 'too_many_total', false, ''],
    ['successes beyond the limit fail it', 'iiiiii', { maxSuccessResults: 5 }, 0, 0, 'too_many_success', false, ''],
    ['with a canonical result, unsent copies are dropped', 'vvU', { canonicalInstanceId: 1 }, 0, 0, null, false, '3:didnt_need'],
    ['with a canonical result, copies out stay out', 'vvP', { canonicalInstanceId: 1 }, 0, 0, null, false, ''],
    ['invalid results do not count toward the target', 'vx', { targetNResults: 2 }, 0, 1, null, false, ''],
  ];
  for (const [name, spec, over, now, create, fail, needs, changed] of cases) {
    it(name, () => {
      const t = transition(wu(over), row(spec), now);
      assert.equal(t.create, create, 'copies to create');
      assert.equal(t.fail, fail, 'failure');
      assert.equal(t.needsValidation, needs, 'needs validation');
      assert.equal(t.changed.map((c) => `${c.id}:${c.outcome}`).join(' '), changed);
    });
  }
  it('a deadline passed step by step', () => {
    const insts = row('PP');
    assert.equal(transition(wu(), insts, 1000).changed.length, 0, 'at the deadline is still in time');
    assert.equal(transition(wu(), insts, 1001).changed.length, 2);
  });
});

describe('compute validator', () => {
  it('majority of a quorum', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(majorityOf), [1, 2, 2, 3, 3]);
  });
  const cases: [name: string, spec: string, quorum: number, canonical: number | null, states: string, raise: boolean, credit: number | null][] = [
    ['two equal results: the first is canonical', 'SS', 2, 1, 'valid valid', false, 10],
    ['two different results: inconclusive, one more copy', 'Ss', 2, null, 'inconclusive inconclusive', true, null],
    ['the tie broken by a third', 'ijS', 2, 1, 'valid invalid valid', false, 10],
    ['a third that agrees with neither: still inconclusive', 'ijE', 2, null, '', false, null],
    ['a liar outvoted', 'sSS', 2, 2, 'invalid valid valid', false, 11],
    ['below the quorum nothing is judged', 'S', 2, null, '', false, null],
    ['quorum 1 is a trusted farm', 'S', 1, 1, 'valid', false, 10],
    ['quorum 3 needs two that agree', 'Sss', 3, 2, 'invalid valid valid', false, 11],
    ['errors are not candidates', 'ESS', 2, 2, 'valid valid', false, 11],
    ['no new success: nothing to judge', 'ii', 2, null, '', false, null],
  ];
  for (const [name, spec, quorum, canonical, states, raise, credit] of cases) {
    it(name, () => {
      const v = validate(wu({ minQuorum: quorum }), row(spec));
      assert.equal(v.canonicalInstanceId, canonical);
      assert.equal(v.verdicts.map((x) => x.validateState).join(' '), states);
      assert.equal(v.raiseTarget, raise);
      assert.equal(v.canonicalCredit, credit, 'granted is the lowest claim of the agreeing group');
    });
  }
  it('a late result is judged against the canonical one', () => {
    const insts = row('vvSs');
    const v = validate(wu({ canonicalInstanceId: 1, canonicalCredit: 7, state: 'done' }), insts);
    assert.deepEqual(v.verdicts, [
      { id: 3, validateState: 'valid', grantedCredit: 7 },
      { id: 4, validateState: 'invalid', grantedCredit: 0 },
    ]);
  });
  it('a tolerant comparator replaces the digest', () => {
    const v = validate(wu(), row('Ss'), () => true);
    assert.equal(v.canonicalInstanceId, 1);
  });
});

describe('compute credit', () => {
  it('claims from CPU time and speed, capped by the bound', () => {
    assert.equal(claimedCredit(86400, 1, 1e9), 200);
    assert.equal(claimedCredit(43200, 2, 1e9), 200);
    assert.equal(claimedCredit(1e9, 1, 86400), 200, 'CPU time above the bound is not believed');
    assert.equal(claimedCredit(Number.NaN, 1, 10), 0);
    assert.ok(claimedCredit(10, 1e12, 100) <= claimedCredit(10, 1000, 100), 'speed is clamped');
  });
  it('recent average decays by half over a half-life', () => {
    const day = 86_400_000;
    let t = { total: 0, recentAverage: 0, updatedAtMs: 0 };
    for (let d = 1; d <= 200; d++) t = addCredit(t, 100, d * day, 7 * day);
    assert.equal(t.total, 20000);
    assert.ok(Math.abs(t.recentAverage - 100) < 1, `steady 100 a day averages 100 (${t.recentAverage})`);
    const later = addCredit(t, 0, 207 * day, 7 * day);
    assert.ok(Math.abs(later.recentAverage - t.recentAverage / 2) < 1e-6);
    assert.equal(later.total, t.total);
  });
  it('credit at the same instant is not a division by zero', () => {
    const t = addCredit({ total: 0, recentAverage: 0, updatedAtMs: 5 }, 10, 5);
    assert.ok(Number.isFinite(t.recentAverage) && t.recentAverage > 0);
  });
});

describe('compute quota', () => {
  it('shrinks on failure, never below one, doubles back on valid results', () => {
    let q = initialQuota(1, 0);
    assert.equal(q.perDay, 200);
    for (let n = 0; n < 500; n++) q = onFailure(q);
    assert.equal(q.perDay, 1);
    q = onValid(q, 1);
    assert.equal(q.perDay, 2);
    for (let n = 0; n < 20; n++) q = onValid(q, 1);
    assert.equal(q.perDay, 200);
  });
  it('counts what was sent today and starts again the next day', () => {
    let q = { ...initialQuota(1, 0), perDay: 3 };
    q = recordSent(q, 3, 1000);
    assert.equal(remainingToday(q, 2000), 0);
    assert.equal(remainingToday(q, 86_400_000 + 1), 3);
  });
});
