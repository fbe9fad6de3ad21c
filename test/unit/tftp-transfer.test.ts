import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Receiver, Sender } from '../../src/tftp/index.js';

const base = { blockSizeBytes: 512, timeoutMs: 1000, maxRetries: 3 };

test('lock-step sender: one block per ACK, duplicate ACKs never resend (RFC 1123 §4.2.3.1)', () => {
  const s = new Sender({ ...base, windowSize: 1, totalBytes: 1024, withOack: false });
  assert.equal(s.blockCount, 3); // 512 + 512 + the empty closing block (RFC 1350 §6)
  assert.deepEqual(s.start(0), { kind: 'send', first: 1, last: 1 });
  assert.deepEqual(s.onAck(1, 10), { kind: 'send', first: 2, last: 2 });
  assert.deepEqual(s.onAck(1, 11), { kind: 'idle' }); // duplicate: no storm
  assert.deepEqual(s.onAck(0, 12), { kind: 'idle' });
  assert.deepEqual(s.onAck(9, 13), { kind: 'idle' }); // a block never sent
  assert.deepEqual(s.span(3), { offset: 1024, length: 0 });
  assert.deepEqual(s.onAck(2, 20), { kind: 'send', first: 3, last: 3 });
  assert.deepEqual(s.onAck(3, 30), { kind: 'done' });
});

test('OACK is block 0 and must be acknowledged first (RFC 2347 §3)', () => {
  const s = new Sender({ ...base, windowSize: 4, totalBytes: 100, withOack: true });
  assert.deepEqual(s.start(0), { kind: 'send', first: 0, last: 0 });
  assert.deepEqual(s.onTimer(999), { kind: 'idle' });
  assert.deepEqual(s.onTimer(1000), { kind: 'send', first: 0, last: 0 }); // OACK resent
  assert.deepEqual(s.onAck(0, 1001), { kind: 'send', first: 1, last: 1 });
  assert.deepEqual(s.onAck(1, 1002), { kind: 'done' });
});

test('windowed sender (RFC 7440): full windows, partial ACK resends from the gap, timeout resends, retry cap', () => {
  const s = new Sender({ ...base, windowSize: 4, totalBytes: 512 * 10 + 7, withOack: false });
  assert.equal(s.blockCount, 11);
  assert.deepEqual(s.start(0), { kind: 'send', first: 1, last: 4 });
  assert.deepEqual(s.onAck(4, 5), { kind: 'send', first: 5, last: 8 });
  assert.deepEqual(s.onAck(6, 6), { kind: 'send', first: 7, last: 10 }); // blocks 7, 8 were lost
  assert.deepEqual(s.onAck(6, 7), { kind: 'idle' });
  assert.deepEqual(s.onTimer(1007), { kind: 'send', first: 7, last: 10 });
  assert.deepEqual(s.onTimer(2007), { kind: 'send', first: 7, last: 10 });
  assert.deepEqual(s.onTimer(3007), { kind: 'send', first: 7, last: 10 });
  assert.equal(s.onTimer(4007).kind, 'fail');
});

test('block numbers roll over past 65535 on the wire', () => {
  const total = 512 * 70000;
  const s = new Sender({ ...base, windowSize: 8, totalBytes: total, withOack: false });
  let a = s.start(0);
  let acks = 0;
  while (a.kind === 'send') {
    a = s.onAck(Sender.wire(a.last), acks++);
  }
  assert.equal(a.kind, 'done');
  assert.equal(acks, Math.ceil(s.blockCount / 8));
  assert.equal(Sender.wire(65536), 0);
  assert.deepEqual(s.span(65537), { offset: 65536 * 512, length: 512 });
});

test('receiver: acks each window, answers a gap once, re-acks a resent block, ends on the short block', () => {
  const r = new Receiver({ ...base, windowSize: 3 }, 0);
  assert.deepEqual(r.onData(1, 512, 1), { accept: true, done: false });
  assert.deepEqual(r.onData(2, 512, 2), { accept: true, done: false });
  assert.deepEqual(r.onData(3, 512, 3), { accept: true, ack: 3, done: false });
  assert.deepEqual(r.onData(5, 512, 4), { accept: false, ack: 3, done: false }); // block 4 lost
  assert.deepEqual(r.onData(6, 512, 5), { accept: false, done: false }); // no ACK storm for the rest of the window
  assert.deepEqual(r.onData(4, 512, 6), { accept: true, done: false });
  assert.deepEqual(r.onData(4, 512, 7), { accept: false, ack: 4, done: false }); // duplicate after progress
  assert.deepEqual(r.onData(4, 512, 8), { accept: false, done: false });
  assert.deepEqual(r.onData(4, 512, 600), { accept: false, ack: 4, done: false }); // half a timeout later
  assert.deepEqual(r.onData(5, 513, 601), { accept: false, done: false }); // larger than a block
  assert.deepEqual(r.onData(5, 100, 602), { accept: true, ack: 5, done: true });
  assert.deepEqual(r.onData(5, 100, 700), { accept: false, ack: 5, done: true }); // final ACK lost: ack again
});

test('receiver: timeouts re-ack the last block, then give up after the retry cap', () => {
  const r = new Receiver({ ...base, windowSize: 1 }, 0);
  assert.deepEqual(r.onTimer(500), { accept: false, done: false });
  assert.deepEqual(r.onTimer(1000), { accept: false, ack: 0, done: false });
  r.onTimer(2000);
  r.onTimer(3000);
  assert.match(r.onTimer(4000).fail ?? '', /no data/);
});

test('receiver handles rollover: block 0 follows 65535', () => {
  const r = new Receiver({ blockSizeBytes: 8, timeoutMs: 1000, maxRetries: 1, windowSize: 65535 }, 0);
  for (let b = 1; b < 65535; b++) assert.equal(r.onData(b, 8, b).accept, true);
  assert.deepEqual(r.onData(65535, 8, 65535), { accept: true, ack: 65535, done: false }); // end of the window
  assert.deepEqual(r.onData(0, 8, 70000), { accept: true, done: false });
  assert.deepEqual(r.onData(1, 0, 70001), { accept: true, ack: 65537, done: true });
});
