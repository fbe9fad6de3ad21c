// The web-seed scheduling policy (which piece, if any, a web seed is asked for), as readable table cases: one
// character per piece for what we want, what is under way, how many peers have it, and what the seed can serve.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebSeedPolicy, type WebSeedView } from '../../src/swarm/webseed-policy.js';
import type { Blocker } from '../../src/webseed/index.js';

const GRACE = 3_000;

interface Case {
  name: string;
  /** w = wanted, h = had (or not wanted). */
  want: string;
  /** b = busy: a seed is fetching it, or it is being written. */
  busy?: string;
  /** Peers were asked for it: seconds since a block of it was last asked for or received (a digit); . = not asked. */
  asked?: string;
  /** Connected peers that have each piece (a digit). */
  holders?: string;
  /** What the seed says of each piece: . = can serve, m = file missing, r = ignores ranges, k = backed off. */
  seed?: string;
  usefulPeers: number;
  /** Times (ms) `choose` is called at; the answer of the last call is checked. */
  at?: number[];
  expect: number | undefined;
}

const BLOCKERS: Record<string, Blocker | undefined> = { '.': undefined, m: 'missing', r: 'no-ranges', k: 'backoff' };

function viewOf(c: Case, blockerCalls: number[] = []): WebSeedView {
  const n = c.want.length;
  const busy = c.busy ?? '.'.repeat(n);
  const holders = c.holders ?? '0'.repeat(n);
  const seed = c.seed ?? '.'.repeat(n);
  const asked = c.asked ?? '.'.repeat(n);
  const now = (c.at ?? [0]).at(-1)!;
  for (const s of [busy, holders, seed, asked]) assert.equal(s.length, n, `${c.name}: every row is ${n} pieces long`);
  return {
    pieceCount: n,
    wanted: (i) => c.want[i] === 'w',
    busy: (i) => busy[i] === 'b',
    peerActivityMs: (i) => (asked[i] === '.' ? undefined : now - 1000 * Number(asked[i])),
    holders: (i) => Number(holders[i]),
    usefulPeers: c.usefulPeers,
    blocker: (i) => {
      blockerCalls.push(i);
      return BLOCKERS[seed[i]!];
    },
  };
}

const cases: Case[] = [
  { name: 'no peers at all: the first wanted piece, at once', want: 'hwww', usefulPeers: 0, expect: 1 },
  { name: 'never a piece under way', want: 'wwww', busy: 'bb..', usefulPeers: 1, holders: '0000', expect: 2 },
  { name: 'never a piece a peer is sending (asked within the grace period)', want: 'www', asked: '02.', holders: '111', usefulPeers: 1, at: [0, GRACE], expect: 2 },
  { name: 'a piece a peer left idle past the grace period is fair game', want: 'www', asked: '93.', holders: '112', usefulPeers: 1, expect: 0 },
  { name: 'even with no useful peer, a piece asked of a peer waits out its grace', want: 'ww', asked: '1.', holders: '11', usefulPeers: 0, expect: 1 },
  { name: 'useful peers: a piece no peer has goes to the seed at once', want: 'wwww', holders: '2202', usefulPeers: 2, expect: 2 },
  { name: 'useful peers have every piece: within the grace period the seed waits', want: 'wwww', holders: '1111', usefulPeers: 1, at: [0, GRACE - 1], expect: undefined },
  { name: 'useful peers have every piece, none asked for past the grace period: the rarest', want: 'wwww', holders: '3213', usefulPeers: 3, at: [0, GRACE], expect: 2 },
  { name: 'peers have pieces but none is useful (all choke us): at once, rarest first', want: 'wwww', holders: '2212', usefulPeers: 0, expect: 2 },
  { name: 'the seed lacks the file of the best piece: the next one', want: 'wwww', seed: 'mm..', usefulPeers: 0, expect: 2 },
  { name: 'the seed ignores ranges for a big file: skipped', want: 'www', seed: 'r.r', usefulPeers: 0, expect: 1 },
  { name: 'the seed can serve none of it', want: 'www', seed: 'kkk', usefulPeers: 0, expect: undefined },
  { name: 'everything had', want: 'hhhh', usefulPeers: 0, expect: undefined },
  { name: 'everything under way', want: 'wwww', busy: 'bbbb', usefulPeers: 2, expect: undefined },
  { name: 'had and busy pieces left out, no holder beats an expired grace', want: 'hwwww', busy: '..b..', holders: '01110', usefulPeers: 1, at: [0, GRACE], expect: 4 },
];

describe('web-seed policy: which piece a seed is asked for', () => {
  for (const c of cases) {
    it(c.name, () => {
      const policy = new WebSeedPolicy({ graceMs: GRACE, maxBlockerChecks: 64 });
      const view = viewOf(c);
      let answer: number | undefined;
      for (const t of c.at ?? [0]) answer = policy.choose(view, t);
      assert.equal(answer, c.expect);
    });
  }

  it('the grace clock starts again when a piece was under way and came back', () => {
    const policy = new WebSeedPolicy({ graceMs: GRACE, maxBlockerChecks: 64 });
    const idle: Case = { name: 'idle', want: 'w', holders: '1', usefulPeers: 1, expect: undefined };
    assert.equal(policy.choose(viewOf(idle), 0), undefined);
    // A peer took the piece at 2 s, then released it (it choked us) at 2.5 s.
    assert.equal(policy.choose(viewOf({ ...idle, busy: 'b' }), 2_000), undefined);
    assert.equal(policy.choose(viewOf(idle), 2_500), undefined);
    assert.equal(policy.choose(viewOf(idle), GRACE + 1), undefined, 'not due 3 s after first sight: the clock restarted at 2.5 s');
    assert.equal(policy.choose(viewOf(idle), 2_500 + GRACE), 0);
  });

  it('successive choices walk forward from the last one, wrapping around (neighbouring ranges for the origin)', () => {
    const policy = new WebSeedPolicy({ graceMs: GRACE, maxBlockerChecks: 64 });
    const want = ['wwwww', 'wwwww', 'wwwww', 'whwww', 'whhhh'];
    // Each call sees the pieces chosen before as under way, except that piece 0 failed and came back.
    const busy = ['.....', '..b..', '..bb.', '..bbb', '.....'];
    const got = want.map((w, k) => policy.choose(viewOf({ name: 'walk', want: w, busy: busy[k], usefulPeers: 0, expect: undefined }), 0));
    assert.deepEqual(got, [0, 1, 4, 0, 0]);
  });

  it('asks the seed about a bounded number of pieces per decision', () => {
    const policy = new WebSeedPolicy({ graceMs: GRACE, maxBlockerChecks: 5 });
    const calls: number[] = [];
    const c: Case = { name: 'all missing', want: 'w'.repeat(100), seed: 'm'.repeat(100), usefulPeers: 0, expect: undefined };
    assert.equal(policy.choose(viewOf(c, calls), 0), undefined);
    assert.deepEqual(calls, [0, 1, 2, 3, 4]);
  });

  it('a slow seed fetch is shared with peers after the grace period, only when a useful peer has the piece', () => {
    const policy = new WebSeedPolicy({ graceMs: GRACE, maxBlockerChecks: 64 });
    const rows: [startedMs: number, nowMs: number, holders: number, useful: number, share: boolean][] = [
      [0, GRACE - 1, 1, 1, false],
      [0, GRACE, 1, 1, true],
      [0, 10 * GRACE, 0, 1, false],
      [0, 10 * GRACE, 2, 0, false],
    ];
    for (const [started, now, holders, useful, share] of rows) {
      assert.equal(policy.shouldShare(started, now, holders, useful), share, JSON.stringify({ started, now, holders, useful }));
    }
  });
});
