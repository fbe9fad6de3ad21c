import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../src/wire/index.js';
import { PiecePicker } from '../../src/swarm/picker.js';
import { Requester } from '../../src/swarm/requests.js';
import { PieceBuffers } from '../../src/swarm/piece-buffers.js';
import { chooseUnchoked, pickOptimistic } from '../../src/swarm/choker.js';
import { RateMeter, TokenBucket, requestQueueDepth } from '../../src/swarm/rate.js';
import { xorshift } from '../helpers/rng.js';

/** A seeded generator so random ties are repeatable. */
function rng(seed = 1): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/**
 * Builds a picker from strings, one char a piece (STYLE.md 8): `avail` digits are how many peers have the piece,
 * `have` 1 for pieces we have, `prio` digits the priority (0 = skip).
 */
function picker(spec: { avail: string; have?: string; prio?: string; sequential?: boolean; randomFirst?: number }, seed = 1): PiecePicker {
  const n = spec.avail.length;
  const p = new PiecePicker(n, { randomFirstPieces: spec.randomFirst ?? 0, sequential: spec.sequential ?? false, random: rng(seed) });
  for (let i = 0; i < n; i++) for (let k = 0; k < Number(spec.avail[i]); k++) p.peerHave(i);
  for (let i = 0; i < n; i++) {
    if (spec.have?.[i] === '1') p.markHave(i);
    if (spec.prio) p.setPriority(i, Number(spec.prio[i]));
  }
  return p;
}

const cases: [string, Parameters<typeof picker>[0], string, number | undefined][] = [
  ['rarest first', { avail: '3312333' }, '1111111', 2],
  ['rarest we do not have', { avail: '3312333', have: '0010000' }, '1111111', 3],
  ['rarest the peer has', { avail: '3312333' }, '1101111', 3],
  ['priority beats rarity', { avail: '3312333', prio: '1111112' }, '1111111', 6],
  ['skipped pieces are never picked', { avail: '3312333', prio: '1110000' }, '1111111', 2],
  ['sequential takes the lowest index', { avail: '3312333', have: '1000000', sequential: true }, '1111111', 1],
  ['nothing the peer has is wanted', { avail: '1111', have: '1100' }, '1100', undefined],
];
for (const [name, spec, peer, want] of cases) {
  test(`picker: ${name}`, () => {
    assert.equal(picker(spec).pick(Bitfield.fromString(peer)), want);
  });
}

test('picker: ties between equally rare pieces are broken at random', () => {
  const picks = new Set<number | undefined>();
  for (let seed = 1; seed < 40; seed++) picks.add(picker({ avail: '2222' }, seed).pick('all'));
  assert.ok(picks.size >= 3, `only ${[...picks].join(',')} were picked`);
});

test('picker: the first pieces are random, not rarest; once we have a few, rarest takes over', () => {
  const firstPicks = new Set<number | undefined>();
  for (let seed = 1; seed < 40; seed++) firstPicks.add(picker({ avail: '1999999999', randomFirst: 2 }, seed).pick('all'));
  assert.ok(firstPicks.size > 3, 'random phase picks spread out');
  assert.equal(picker({ avail: '1999999999', have: '0110000000', randomFirst: 2 }).pick('all'), 0);
});

test('picker: started pieces are not picked twice; interest follows what we lack', () => {
  const p = picker({ avail: '1213' });
  p.markStarted(0);
  assert.equal(p.pick('all'), 2);
  assert.equal(p.interesting(Bitfield.fromString('1000')), true);
  p.markHave(0);
  assert.equal(p.interesting(Bitfield.fromString('1000')), false);
  assert.equal(p.remaining(), 3);
});

function requester(pieces = 4, pieceSize = 4 * 16384): { p: PiecePicker; r: Requester } {
  const p = new PiecePicker(pieces, { randomFirstPieces: 0, sequential: true, random: rng() });
  const r = new Requester(p, { blockBytes: 16384, pieceSize: () => pieceSize, maxPartialBytes: 1 << 30, buffers: new PieceBuffers(pieceSize, 1 << 24) });
  return { p, r };
}

test('picker: its counts of pieces left and not started stay what a scan finds, through every kind of change', () => {
  const next = xorshift(1313);
  const n = 64;
  const picker = new PiecePicker(n, { randomFirstPieces: 4, sequential: false, random: () => next() / 2 ** 32 });
  const started = new Set<number>();
  const check = (step: number): void => {
    const wanted = [...Array(n).keys()].filter((i) => picker.wanted(i));
    assert.equal(picker.remaining(), wanted.length, `step ${step}: remaining`);
    const unstarted = wanted.filter((i) => !started.has(i));
    assert.equal(picker.allStarted(), unstarted.length === 0, `step ${step}: allStarted`);
    const picked = picker.pick('all');
    assert.equal(picked === undefined, unstarted.length === 0, `step ${step}: pick`);
    if (picked !== undefined) assert.ok(unstarted.includes(picked), `step ${step}: picked ${picked}, a piece wanted and not under way`);
    assert.equal(picker.interesting('all'), wanted.length > 0, `step ${step}: interesting`);
  };
  for (let step = 0; step < 20_000; step++) {
    const i = next() % n;
    switch (next() % 7) {
      case 0:
        picker.markStarted(i);
        started.add(i);
        break;
      case 1:
        picker.unstart(i);
        started.delete(i);
        break;
      case 2:
      case 3:
        picker.markHave(i);
        started.delete(i);
        break;
      case 4:
        picker.markLost(i);
        started.delete(i);
        break;
      case 5:
        // Rarely, so that a count drifting between two priority changes (which count afresh) shows.
        if (next() % 40 === 0) picker.setPriority(i, next() % 3);
        break;
      default:
        if (next() % 200 === 0) picker.setPriorities(Uint8Array.from({ length: n }, () => next() % 3));
    }
    check(step);
  }
});

test('requests: a peer gets whole pieces; blocks assemble into the piece; contributors are tracked', () => {
  const { r } = requester();
  const reqs = r.next('A', 'all', 6, 0);
  assert.deepEqual(reqs.map((q) => `${q.index}:${q.begin / 16384}`), ['0:0', '0:1', '0:2', '0:3', '1:0', '1:1']);
  const reqsB = r.next('B', 'all', 2, 0);
  assert.deepEqual(reqsB.map((q) => `${q.index}:${q.begin / 16384}`), ['2:0', '2:1'], 'B starts its own piece rather than sharing A\'s');
  let done;
  for (let b = 0; b < 4; b++) done = r.receive('A', 0, b * 16384, Buffer.alloc(16384, b)).complete;
  assert.ok(done);
  assert.deepEqual(done.contributors, ['A']);
  assert.equal(done.data[3 * 16384], 3);
  assert.equal(r.receive('A', 0, 0, Buffer.alloc(16384)).accepted, false, 'a block of a finished piece is refused');
  assert.equal(r.receive('C', 1, 0, Buffer.alloc(16384)).accepted, false, 'a block never asked of C is refused');
  assert.equal(r.receive('A', 1, 0, Buffer.alloc(100)).accepted, false, 'a block of the wrong length is refused');
});

test('requests: a peer that leaves loses its requests to others; timeouts are reported', () => {
  const { r } = requester(1);
  assert.equal(r.next('A', 'all', 4, 0).length, 4);
  assert.equal(r.next('B', 'all', 4, 0).length, 4, 'end-game: B duplicates A\'s blocks');
  assert.equal(r.expired(10_000, 5_000).length, 8);
  r.releasePeer('A');
  r.releasePeer('B');
  assert.equal(r.outstandingFor('A'), 0);
  const again = r.next('C', 'all', 10, 0);
  assert.equal(again.length, 4);
});

test('requests: end-game cancels the duplicate when one copy arrives', () => {
  const { r } = requester(1);
  r.next('A', 'all', 4, 0);
  r.next('B', 'all', 4, 0);
  const res = r.receive('B', 0, 16384, Buffer.alloc(16384));
  assert.deepEqual(res.cancelFrom, ['A']);
  assert.equal(r.outstandingFor('A'), 3);
});

test('requests: memory cap stops new pieces from starting', () => {
  const p = new PiecePicker(8, { randomFirstPieces: 0, sequential: true, random: rng() });
  const r = new Requester(p, { blockBytes: 16384, pieceSize: () => 65536, maxPartialBytes: 2 * 65536, buffers: new PieceBuffers(65536, 1 << 24) });
  assert.equal(r.next('A', 'all', 100, 0).length, 8);
  assert.equal(r.partialCount, 2);
});

test('choker: tit-for-tat unchokes the fastest uploaders to us, seeding the fastest downloaders, plus the optimistic', () => {
  const peers = [
    { id: 'a', interested: true, downloadRate: 10, uploadRate: 500 },
    { id: 'b', interested: true, downloadRate: 300, uploadRate: 1 },
    { id: 'c', interested: false, downloadRate: 900, uploadRate: 900 },
    { id: 'd', interested: true, downloadRate: 200, uploadRate: 2 },
    { id: 'e', interested: true, downloadRate: 0, uploadRate: 0 },
  ];
  assert.deepEqual([...chooseUnchoked(peers, { slots: 2, seeding: false })].sort(), ['b', 'd']);
  assert.deepEqual([...chooseUnchoked(peers, { slots: 2, seeding: true })].sort(), ['a', 'd']);
  assert.deepEqual([...chooseUnchoked(peers, { slots: 2, seeding: false, optimistic: 'e' })].sort(), ['b', 'e']);
  const opt = pickOptimistic(peers, new Set(['b', 'd']), rng());
  assert.ok(opt === 'a' || opt === 'e');
});

test('queue depth follows rate and round-trip time within bounds and the peer\'s reqq', () => {
  const base = { blockBytes: 16384, queueSeconds: 1, min: 4, max: 500 };
  assert.equal(requestQueueDepth({ ...base, rateBytesPerSec: 0, rttMs: 0 }), 4);
  assert.equal(requestQueueDepth({ ...base, rateBytesPerSec: 16384 * 100, rttMs: 0 }), 100);
  assert.equal(requestQueueDepth({ ...base, rateBytesPerSec: 16384 * 100, rttMs: 1000 }), 200);
  assert.equal(requestQueueDepth({ ...base, rateBytesPerSec: 1e12, rttMs: 0 }), 500);
  assert.equal(requestQueueDepth({ ...base, rateBytesPerSec: 1e12, rttMs: 0, peerReqq: 250 }), 250);
});

test('rate meter and token bucket', () => {
  const m = new RateMeter(5);
  m.add(5000, 0);
  m.add(5000, 1500);
  assert.equal(m.rate(1500), 2000);
  assert.equal(m.rate(20_000), 0);
  const b = new TokenBucket(1000, 1000);
  assert.equal(b.take(1000, 0), 0);
  assert.equal(b.take(500, 0), 500);
  assert.equal(b.take(0, 1000), 0);
  assert.equal(new TokenBucket(0).take(1e9, 0), 0);
  const up = new TokenBucket(1000, 1000);
  assert.equal(up.tryTake(1500, 0), 0, 'a send is allowed while the bucket is not in debt');
  assert.equal(up.tryTake(100, 0), 500, 'then the sender waits for the debt to clear');
  assert.equal(up.tryTake(100, 0), 500, 'asking again spends nothing');
  assert.equal(up.tryTake(100, 500), 0);
});
