import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopTurns } from '../../src/util/loop-turns.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('loop turns: work runs at once while the turn has budget, then waits in order for later turns', async () => {
  const turns = new LoopTurns(3);
  const ran: string[] = [];
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) turns.run(() => ran.push(name));
  assert.deepEqual(ran, ['a', 'b', 'c'], 'three at once, the rest wait');
  assert.equal(turns.waiting, 4);
  assert.equal(turns.tryTake(), false, 'nobody jumps the queue');
  await nextTurn();
  assert.deepEqual(ran, ['a', 'b', 'c', 'd', 'e', 'f'], 'one turn runs three more, first come first served');
  await nextTurn();
  assert.deepEqual(ran.at(-1), 'g');
  assert.equal(turns.waiting, 0);
});

test('loop turns: the budget comes back on a later turn, and an idle budget schedules nothing', async () => {
  const turns = new LoopTurns(2);
  assert.equal(turns.tryTake(), true);
  assert.equal(turns.tryTake(), true);
  assert.equal(turns.tryTake(), false, 'spent for this turn');
  await nextTurn();
  await nextTurn();
  assert.equal(turns.tryTake(), true, 'a new turn, a new budget');
  let deferred = 0;
  turns.defer(() => deferred++);
  assert.equal(deferred, 0, 'deferred work never runs in the same turn');
  await nextTurn();
  assert.equal(deferred, 1);
});

test('loop turns: a job deferred ahead runs before the queue, but never takes more than half a turn', async () => {
  const turns = new LoopTurns(4);
  const ran: string[] = [];
  for (const name of ['a', 'b', 'c', 'd']) turns.run(() => ran.push(name));
  turns.defer(() => ran.push('q1'));
  turns.defer(() => ran.push('q2'));
  for (const name of ['n1', 'n2', 'n3']) turns.defer(() => ran.push(name), true);
  await nextTurn();
  assert.deepEqual(ran.slice(4), ['n1', 'n2', 'q1', 'q2'], 'two newcomers (half the turn), then the queue');
  await nextTurn();
  assert.deepEqual(ran.slice(8), ['n3']);
});
