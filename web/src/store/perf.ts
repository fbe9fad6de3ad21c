// Timings the load test (bench/suites/web.ts) reads from the page: when the list first showed the node's
// torrents, and for each applied batch of events when it arrived and when its rows were in the DOM.
export interface BatchTiming {
  events: number;
  /** When the batch's first message arrived, when the batch was handed to the store, when the store had
   * applied it, when the list had rendered it (performance.now()). */
  receivedAt: number;
  flushedAt: number;
  appliedAt: number;
  renderedAt: number;
  /** Time spent decoding the batch's messages (JSON.parse). */
  parseMs: number;
}

export interface PagePerf {
  /** performance.now() (from navigation start) when the list first rendered the snapshot's rows; -1 before. */
  firstRenderMs: number;
  batches: BatchTiming[];
  /** Events applied since the page loaded. */
  eventsApplied: number;
  /** performance.now() of the first time each named step happened (the stream opened, its first message…). */
  marks: Record<string, number>;
}

const MAX_KEPT = 200;

export const perf: PagePerf = { firstRenderMs: -1, batches: [], eventsApplied: 0, marks: {} };

export function mark(name: string): void {
  perf.marks[name] ??= performance.now();
}
(globalThis as { __tandemPerf?: PagePerf }).__tandemPerf = perf;

/** Batches applied but not yet rendered (several may be applied before the list renders once). */
let open: BatchTiming[] = [];

export function batchApplied(events: number, receivedAt: number, flushedAt: number, parseMs: number): void {
  const timing = { events, receivedAt, flushedAt, appliedAt: performance.now(), renderedAt: -1, parseMs };
  open.push(timing);
  perf.eventsApplied += events;
  perf.batches.push(timing);
  if (perf.batches.length > MAX_KEPT) perf.batches.shift();
}

/** Called by the list after it committed a render. */
export function listRendered(rowCount: number): void {
  const now = performance.now();
  if (perf.firstRenderMs < 0 && rowCount > 0) perf.firstRenderMs = now;
  for (const timing of open) timing.renderedAt = now;
  open = [];
}
