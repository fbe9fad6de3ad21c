import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EARLIER_SEED_CHOKE, SeedChoker, TANDEM_SEED_CHOKE, type SeedChoke } from '../../src/lab/sim-seed.js';
import { chooseTransfer, newSwarm, simulate, withCpuFloor, type SimConfig } from '../../src/lab/simulate.js';
import { seededRandom } from '../../src/lab/simulate-lab.js';

const MiB = 1024 * 1024;

function config(over: Partial<SimConfig> = {}): SimConfig {
  return { mode: 'p2p', clients: 16, fileBytes: 20 * MiB, pieceBytes: 256 * 1024, serverUpBps: 20e6, clientUpBps: 10e6, clientDownBps: Infinity, slots: 8, maxPeers: 50, seedPolicy: 'receiver-rarest', clientPolicy: 'random', startupS: (_n, i) => 0.1 * i, random: seededRandom(3), ...over };
}

function choker(over: Partial<SeedChoke> = {}, clients = 4): SeedChoker {
  return new SeedChoker(clients, 80, { ...TANDEM_SEED_CHOKE, unchokeSlots: 2, ...over }, seededRandom(1));
}

const unchokedOf = (c: SeedChoker): number[] => [...c.unchoked].flatMap((u, i) => (u ? [i] : []));

test('the seed unchokes joining clients while it has slots; a finished one frees its slot at once (now)', () => {
  const c = choker();
  for (const to of [1, 2, 3, 4]) c.join(to);
  assert.deepEqual(unchokedOf(c), [1, 2]);
  c.finish(1);
  assert.deepEqual(unchokedOf(c), [2, 3]);
});

test('before: a freed slot waits for the next choke round, then goes to the client waiting longest', () => {
  const c = choker({ freeSlotAtOnce: false }, 5);
  for (const to of [1, 2, 3, 4]) c.join(to);
  c.finish(1);
  assert.deepEqual(unchokedOf(c), [2]);
  c.round();
  assert.deepEqual(unchokedOf(c), [2, 3]);
  // A waiting client that finishes (from the other clients) leaves the queue: the next free slot goes past it.
  c.join(5);
  c.finish(4);
  c.finish(2);
  c.round();
  assert.deepEqual(unchokedOf(c), [3, 5]);
});

test('allowed-fast: the first clients of the /24 get the same set, one piece on its way at a time, only pieces they lack', () => {
  const c = choker({ allowedFastPeers: 2, allowedFastPieces: 3 });
  for (const to of [1, 2, 3]) c.join(to);
  assert.deepEqual(c.grantees, [1, 2]);
  assert.equal(c.fastSet.length, 3);
  assert.equal(new Set(c.fastSet).size, 3);
  assert.equal(c.fastPiece(3, () => true), -1, 'client 3 has no grant');
  const first = c.fastPiece(1, () => true);
  assert.equal(first, c.fastSet[0]);
  assert.equal(c.fastPiece(2, () => true), first, 'the same set for the same /24');
  assert.equal(c.fastPiece(1, (p) => p !== c.fastSet[0]), c.fastSet[1], 'a piece it has is not asked for');
  c.fastInFlight[1] = first + 1;
  assert.equal(c.fastPiece(1, () => true), -1, 'one at a time');
  assert.equal(c.fastPiece(2, () => false), -1, 'nothing lacking');
  const all = choker({ allowedFastPeers: Infinity }, 6);
  for (const to of [1, 2, 3, 4, 5, 6]) all.join(to);
  assert.equal(all.grantees.length, 6, 'before: every client of the /24');
});

test('a choked client gets nothing from the seed through its upload slots', () => {
  const s = newSwarm(config({ clients: 2, fileBytes: 4000, pieceBytes: 1000 }));
  s.joined.fill(1);
  s.seedUnchoked = Uint8Array.from([0, 0, 1]);
  for (let k = 0; k < 20; k++) assert.equal(chooseTransfer(s, 0)[0], 2);
  s.seedUnchoked[2] = 0;
  assert.deepEqual(chooseTransfer(s, 0), [-1, -1]);
});

test('at N = 16, allowed-fast sets for every client make the seed repeat itself more than sets for two', () => {
  const before = simulate(config({ seedChoke: EARLIER_SEED_CHOKE }));
  const now = simulate(config({ seedChoke: TANDEM_SEED_CHOKE }));
  const none = simulate(config());
  assert.ok(before.serverCopies > now.serverCopies + 0.2, `before ${before.serverCopies} copies, now ${now.serverCopies}`);
  assert.ok(before.dSeconds > now.dSeconds, `before D ${before.dSeconds}, now ${now.dSeconds}`);
  assert.ok(Number.isFinite(none.dSeconds) && Number.isFinite(now.dSeconds));
  for (const r of [before, now, none]) assert.ok(r.finishSeconds.every((f) => Number.isFinite(f)), 'every client finishes');
});

test('the CPU floor stretches a run that the cores could not carry, and leaves the others alone', () => {
  const c = config({ clients: 16, cpu: { secondsPerMiB: 0.2, cores: 2 } });
  const r = { finishSeconds: [10, 20], dSeconds: 20, serverCopies: 2, serverUtil: 0.9, clientUtil: 0.6 };
  const floor = (16 * 20 * 0.2) / 2;
  const out = withCpuFloor(c, r);
  assert.equal(out.dSeconds, floor);
  assert.deepEqual(out.finishSeconds, [10 * (floor / 20), floor]);
  assert.ok(Math.abs(out.serverUtil - 0.9 * (20 / floor)) < 1e-9);
  assert.equal(withCpuFloor({ ...c, cpu: { secondsPerMiB: 0.01, cores: 2 } }, r), r);
  assert.equal(withCpuFloor(config(), r), r);
});
