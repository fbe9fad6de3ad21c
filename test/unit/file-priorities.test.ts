import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PieceLayout } from '../../src/storage/layout.js';
import { piecePriorities, type FilePriority } from '../../src/swarm/file-priorities.js';
import { PiecePicker } from '../../src/swarm/picker.js';

/** Files of these sizes (a `p` suffix marks a BEP 47 pad file) laid out in 10-byte pieces. */
function layout(sizes: string[]): PieceLayout {
  let offset = 0;
  const files = sizes.map((s, i) => {
    const length = Number.parseInt(s, 10);
    const f = { path: [`f${i}`], length, offset, pad: s.endsWith('p') };
    offset += length;
    return f;
  });
  return new PieceLayout(files as never, 10, offset);
}

/** Piece priorities as one digit a piece (0 skip, 1 low, 2 normal, 3 high). */
function prios(sizes: string[], wanted?: number[], priorities: Record<number, FilePriority> = {}): string {
  return [...piecePriorities(layout(sizes), wanted, priorities)].join('');
}

const cases: [string, string[], number[] | undefined, Record<number, FilePriority>, string][] = [
  ['every file normal by default', ['20', '20'], undefined, {}, '2222'],
  ['an unwanted file is skipped', ['20', '20'], [1], {}, '0022'],
  ['high and low files', ['20', '20', '20'], undefined, { 0: 1, 2: -1 }, '332211'],
  ['a shared piece takes its highest wanted file', ['15', '15'], undefined, { 1: 1 }, '233'],
  ['a shared piece of an unwanted file takes the wanted one', ['15', '15'], [0], { 1: 1 }, '220'],
  ['a low file beside a normal one keeps the shared piece normal', ['15', '15'], undefined, { 0: -1 }, '122'],
  ['pad files raise nothing', ['15', '5p', '20'], [0, 1], { 1: 1 }, '2200'],
  ['empty files hold no piece', ['0', '20'], undefined, { 0: 1 }, '22'],
];
for (const [name, sizes, wanted, priorities, want] of cases) {
  test(`file priorities: ${name}`, () => assert.equal(prios(sizes, wanted, priorities), want));
}

test('file priorities: the picker starts every high piece before a normal one, and every normal before a low one', () => {
  const l = layout(['30', '30', '30']);
  const p = new PiecePicker(l.pieceCount, { randomFirstPieces: 0, sequential: false, random: () => 0.5 });
  p.setPriorities(piecePriorities(l, undefined, { 0: -1, 2: 1 }));
  // The low file's pieces are the rarest: priority still comes first.
  for (let i = 3; i < 9; i++) p.peerHave(i);
  const order: number[] = [];
  for (let n = 0; n < 9; n++) {
    const i = p.pick('all')!;
    order.push(i);
    p.markStarted(i);
  }
  assert.deepEqual(order.slice(0, 3).sort(), [6, 7, 8]);
  assert.deepEqual(order.slice(3, 6).sort(), [3, 4, 5]);
  assert.deepEqual(order.slice(6).sort(), [0, 1, 2]);
  assert.equal(p.pick('all'), undefined);
});
