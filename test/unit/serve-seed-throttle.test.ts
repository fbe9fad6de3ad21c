// The send budget behind `serve --upload-limit`: a Throttle passes every byte, in order, only as the budget allows,
// in slices small enough that many connections share it; a destroyed throttle leaves no timer behind.
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { Throttle, type SendBudget } from '../../src/http/index.js';
import { TokenBucket } from '../../src/swarm/index.js';

/** A budget that refuses every other ask (1 ms wait) and records what it granted. */
class Stingy implements SendBudget {
  granted: number[] = [];
  refusals = 0;
  private flip = false;
  tryTake(bytes: number): number {
    this.flip = !this.flip;
    if (this.flip) {
      this.refusals++;
      return 1;
    }
    this.granted.push(bytes);
    return 0;
  }
}

async function through(budget: SendBudget, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), new Throttle(budget), new Writable({ write: (c: Buffer, _e, done) => (out.push(c), done()) }));
  return Buffer.concat(out);
}

describe('Throttle', () => {
  it('passes every byte in order, each slice granted by the budget, none over 64 KiB', async () => {
    const input = Buffer.from(Array.from({ length: 300_001 }, (_, i) => i % 251));
    const budget = new Stingy();
    const output = await through(budget, [input.subarray(0, 200_000), input.subarray(200_000)]);
    assert.ok(output.equals(input));
    assert.equal(budget.granted.reduce((a, b) => a + b, 0), input.length);
    assert.ok(budget.granted.every((n) => n > 0 && n <= 64 * 1024));
    assert.equal(budget.refusals, budget.granted.length, 'each slice waited once and was then sent');
  });

  it('draws on a shared TokenBucket: two streams spend one allowance', async () => {
    const bucket = new TokenBucket(1e9); // fast enough not to wait; the point is that both streams debit it
    const spent: number[] = [];
    const shared: SendBudget = { tryTake: (n, now) => (spent.push(n), bucket.tryTake(n, now)) };
    await Promise.all([through(shared, [Buffer.alloc(100_000)]), through(shared, [Buffer.alloc(70_000)])]);
    assert.equal(spent.reduce((a, b) => a + b, 0), 170_000);
  });

  it('clears its wait timer when destroyed mid-wait', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const never: SendBudget = { tryTake: () => 60_000 };
    const throttle = new Throttle(never);
    throttle.write(Buffer.alloc(10));
    await new Promise((r) => setImmediate(r));
    assert.equal(timers(), before + 1, 'waiting on the budget');
    throttle.destroy();
    await new Promise((r) => throttle.once('close', r));
    assert.equal(timers(), before, 'the wait timer is gone');
  });
});
