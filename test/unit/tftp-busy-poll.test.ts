import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusyPollPolicy } from '../../src/tftp/busy-poll-policy.js';
import { LoopSpinner } from '../../src/util/loop-spinner.js';

test('busy-poll policy: polls after a send while replies come inside the window, stops when they do not', () => {
  const p = new BusyPollPolicy(0.2);
  assert.equal(p.onSend(10), 10.2); // nothing measured yet: poll
  p.onReply(10.05);
  assert.ok(Math.abs(p.replyMs! - 0.05) < 1e-9);
  let t = 20;
  for (; p.onSend(t) !== 0; t += 10) {
    assert.ok(t < 20 + 10 * 10, 'replies of 1 ms stop polling within a few sends');
    p.onReply(t + 1);
  }
  assert.ok(p.replyMs! > 0.2);
  p.onReply(t + 1);
  for (t += 10; p.onSend(t) === 0; t += 10) {
    assert.ok(t < 20 + 10 * 100, 'fast replies bring polling back');
    p.onReply(t + 0.03);
  }
});

test('busy-poll policy: a peer on a slow network is never polled for after its first reply', () => {
  const p = new BusyPollPolicy(0.2);
  p.onSend(0);
  p.onReply(5); // 5 ms round trip
  for (let t = 10; t < 1000; t += 10) {
    assert.equal(p.onSend(t), 0);
    p.onReply(t + 5);
  }
});

test('busy-poll policy: one lost packet (a timeout) counts at most 8 windows, so polling resumes soon', () => {
  const p = new BusyPollPolicy(0.2);
  p.onSend(0);
  p.onReply(0.04);
  p.onSend(1);
  p.onReply(1001); // answered only after a 1 s retransmission timeout
  assert.ok(p.replyMs! <= 0.2 * 8);
  let sends = 0;
  for (let t = 2000; p.onSend(t) === 0; t += 1) {
    sends++;
    p.onReply(t + 0.04);
  }
  assert.ok(sends <= 20, `polling resumed after ${sends} fast replies`);
});

test('busy-poll policy: window 0 never polls; a reply with no send before it measures nothing', () => {
  const off = new BusyPollPolicy(0);
  assert.equal(off.onSend(1), 0);
  const p = new BusyPollPolicy(0.2);
  p.onReply(5);
  assert.equal(p.replyMs, undefined);
  p.onSend(6);
  p.onReply(6.1);
  p.onReply(9); // a second packet after one send (a window of DATA) is not a reply time
  assert.ok(Math.abs(p.replyMs! - 0.1) < 1e-9);
});

test('loop spinner: keeps turning the loop until the latest deadline, then stops by itself', async () => {
  let clock = 0;
  const spinner = new LoopSpinner(() => clock);
  let turns = 0;
  const count = (): void => {
    turns++;
    clock += 1;
    if (spinner.isPolling) setImmediate(count);
  };
  spinner.pollUntil(10);
  spinner.pollUntil(5); // an earlier deadline never shortens polling
  assert.equal(spinner.isPolling, true);
  setImmediate(count);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(spinner.isPolling, false);
  assert.ok(turns >= 10 && turns <= 12, `${turns} turns of the loop`);
  spinner.pollUntil(clock + 3); // starts again when asked
  assert.equal(spinner.isPolling, true);
  setImmediate(count);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(spinner.isPolling, false);
});
