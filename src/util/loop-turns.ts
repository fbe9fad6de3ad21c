/**
 * A budget of work per event-loop turn, shared by every server in the process, so a crowd of busy connections
 * cannot starve the accepting of new ones.
 *
 * Why: Node 20's libuv accepts at most one connection each time its poll phase runs (measured: 30 turns of 20 ms,
 * 29 connections accepted, however many wait in the listen queue). A keep-alive client that sends its next request
 * the moment it has the last answer makes its socket readable again in the very next poll, so with 1,000 of them
 * each poll answers about 1,000 requests (40 ms here) and the listen queue drains at 25 connections a second: a
 * newcomer waited 5 to 25 s. Bounding the requests answered per turn keeps turns short, so accepts keep flowing,
 * and a FIFO of those that must wait keeps the order fair (a connection that has waited goes first).
 *
 * Light load never waits: work runs at once while the turn's budget lasts and nobody is queued.
 *
 * A connection's first request may go ahead of the queue (`defer(job, true)`): a newcomer then waits for one turn
 * rather than behind every busy client's next request. libuv accepts at most one connection a turn, so few such jobs
 * come; they get at most half of a turn, and the queue behind them still moves every turn.
 *
 * @example
 *   if (!loopTurns.tryTake()) return loopTurns.defer(() => this.pump()); // answer it next turn
 */
export const TURN_DEFAULTS = {
  /** Requests answered per event-loop turn, across every server in the process: well under 1 ms of work here. */
  requestsPerTurn: 16,
} as const;

export class LoopTurns {
  private spent = 0;
  private armed = false;
  private queue: (() => void)[] = [];
  private head = 0;
  /** Jobs that go before the queue (see above), in their own arrival order. */
  private first: (() => void)[] = [];

  constructor(private readonly perTurn: number = TURN_DEFAULTS.requestsPerTurn) {}

  /** Jobs waiting for a later turn. */
  get waiting(): number {
    return this.queue.length - this.head + this.first.length;
  }

  /** True when one more unit of work fits in this turn, and nobody waits ahead of it; counts the unit. */
  tryTake(): boolean {
    if (this.waiting > 0 || this.spent >= this.perTurn) return false;
    this.spent++;
    this.arm();
    return true;
  }

  /** Runs `job` as one unit on a later turn, after every job deferred before it (or before them all: `ahead`). */
  defer(job: () => void, ahead = false): void {
    if (ahead) this.first.push(job);
    else this.queue.push(job);
    this.arm();
  }

  /** Runs `job` now if the turn allows, else later (see `tryTake`, `defer`). */
  run(job: () => void): void {
    if (this.tryTake()) job();
    else this.defer(job);
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    // An immediate runs after this turn's poll phase; while one is pending, libuv polls without sleeping.
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    this.armed = false;
    this.spent = 0;
    // At most half a turn goes to jobs deferred ahead (many idle connections could send their first heads at
    // once), so the queue behind them always moves.
    while (this.spent < this.perTurn / 2 && this.first.length > 0) this.runOne(this.first.shift()!);
    while (this.spent < this.perTurn && this.head < this.queue.length) {
      const job = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as () => void;
      this.runOne(job);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // The work done here counts against the next poll phase too; a turn with nothing to do re-arms nothing.
    if (this.spent > 0 || this.waiting > 0) this.arm();
  };

  private runOne(job: () => void): void {
    this.spent++;
    try {
      job();
    } catch (err) {
      // A job's own failure must not strand the ones behind it; surface it as node would an uncaught error.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/** The process's one budget: the event loop is shared, so is its time. */
export const loopTurns = new LoopTurns();
