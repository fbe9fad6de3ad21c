/**
 * Rate-limited response bodies. A `SendBudget` is the shared upload allowance (`tandem serve --upload-limit`):
 * HTTP bodies and peer uploads draw on the same one, so the server's total stays under the cap. The swarm's
 * `TokenBucket` is one; this module only needs its `tryTake`.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface SendBudget {
  /** Asks to send `bytes`: 0 means go (and they are spent), otherwise the ms to wait before asking again. */
  tryTake(bytes: number, nowMs: number): number;
}

/** Bytes asked for at once: small enough that many connections share the budget evenly, large enough to be cheap. */
export const THROTTLE_SLICE_BYTES = 64 * 1024;

/** A pass-through stream that releases each slice of its input only when the budget allows it. */
export class Throttle extends Transform {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly budget: SendBudget) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.release(chunk, 0, done);
  }

  private release(chunk: Buffer, offset: number, done: TransformCallback): void {
    while (offset < chunk.length) {
      const end = Math.min(chunk.length, offset + THROTTLE_SLICE_BYTES);
      const waitMs = this.budget.tryTake(end - offset, Date.now());
      if (waitMs > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.release(chunk, offset, done);
        }, waitMs);
        return;
      }
      this.push(chunk.subarray(offset, end));
      offset = end;
    }
    done();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    callback(err);
  }
}
