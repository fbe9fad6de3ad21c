/**
 * Keeps the event loop polling, without sleeping, until a deadline. While an immediate is pending, libuv polls its
 * sockets with a zero timeout, so a datagram that arrives is read at once instead of after a sleep and a wake-up.
 * Every caller in the process shares one spinner: polling for many transfers costs at most one CPU, and it stops
 * by itself at the latest deadline anyone asked for.
 *
 * @example
 *   loopSpinner.pollUntil(performance.now() + 0.2); // a reply is expected within 200 µs
 */
import { performance } from 'node:perf_hooks';

export class LoopSpinner {
  private untilMs = 0;
  private running = false;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** Polls until at least `deadlineMs` (on the spinner's clock). The immediate stays referenced: an unreferenced
   * one would let libuv block in its poll again, which is the sleep this exists to avoid. */
  pollUntil(deadlineMs: number): void {
    if (deadlineMs > this.untilMs) this.untilMs = deadlineMs;
    if (this.running) return;
    this.running = true;
    setImmediate(this.tick);
  }

  get isPolling(): boolean {
    return this.running;
  }

  private readonly tick = (): void => {
    if (this.clock() < this.untilMs) setImmediate(this.tick);
    else this.running = false;
  };
}

/** The process's one spinner. */
export const loopSpinner = new LoopSpinner();
