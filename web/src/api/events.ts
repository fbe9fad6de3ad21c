// The node's event stream (WebSocket /api/events). One socket; after a drop (a daemon restart) it reconnects with
// growing pauses and asks for what it missed with `since=<last seq>`; the daemon replays it or sends a snapshot.
// Messages are handed over in batches, one per task turn, so a burst of a thousand changes is one store update
// and one render, not a thousand.
import { getToken } from './auth.js';
import { mark } from '../store/perf.js';
import type { NodeEvents, ServerInfo, TorrentSummary } from '../../../src/node/types.js';

export type StreamEvent =
  | { [K in keyof NodeEvents]: { seq: number; type: K } & NodeEvents[K] }[keyof NodeEvents]
  | { seq: number; type: 'snapshot'; torrents: TorrentSummary[]; servers: ServerInfo[] };

export type StreamState = 'connecting' | 'open' | 'closed';

export interface Batch {
  events: StreamEvent[];
  /** performance.now() when the batch's first message arrived, and when it was handed over. */
  receivedAt: number;
  flushedAt: number;
  /** Time spent decoding its messages. */
  parseMs: number;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
const FLUSH_FALLBACK_MS = 100;
/** Two readings of the daemon's start time (from whole seconds active) closer than this are one start. */
const SAME_START_MS = 3_000;

export class EventStream {
  private socket: WebSocket | null = null;
  private lastSeq = -1;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pending: StreamEvent[] = [];
  private pendingSince = 0;
  private pendingParseMs = 0;
  private stopped = false;
  private wasOpen = false;
  private startedAt: number | undefined;

  /**
   * `daemonStartedAt` tells when the daemon started (ms): a restarted daemon numbers its events from 0 again, so
   * after a drop the page asks for a replay with `since` only when it talks to the same start; otherwise it
   * takes a fresh snapshot, never another run's events.
   */
  constructor(
    private readonly onBatch: (batch: Batch) => void,
    private readonly onState: (state: StreamState) => void,
    private readonly daemonStartedAt?: () => Promise<number>,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
  }

  private url(): string {
    const params = new URLSearchParams();
    const token = getToken();
    if (token) params.set('token', token);
    if (this.lastSeq >= 0) params.set('since', String(this.lastSeq));
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/api/events?${params.toString()}`;
  }

  private connect(): void {
    // After a drop every new attempt is still "reconnecting" for the person at the page.
    this.onState(this.wasOpen ? 'closed' : 'connecting');
    if (!this.wasOpen || !this.daemonStartedAt) return this.open();
    this.daemonStartedAt().then(
      (startedAt) => {
        if (this.stopped) return;
        if (this.startedAt === undefined || Math.abs(startedAt - this.startedAt) > SAME_START_MS) this.lastSeq = -1;
        this.startedAt = startedAt;
        this.open();
      },
      () => this.retry(), // the daemon is not back yet
    );
  }

  private retry(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private open(): void {
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      mark('stream-open');
      if (!this.wasOpen) void this.daemonStartedAt?.().then((at) => (this.startedAt ??= at), () => undefined);
      this.wasOpen = true;
      this.retryMs = RETRY_MIN_MS;
      this.onState('open');
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onState('closed');
      this.retry();
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    mark('first-message');
    const start = performance.now();
    let event: StreamEvent;
    try {
      event = JSON.parse(data) as StreamEvent;
    } catch {
      return; // a frame that is not JSON is the daemon's bug, not a reason to stop the page
    }
    const parsed = performance.now();
    // A snapshot restarts the count (a restarted daemon may number from 0 again).
    if (event.type === 'snapshot') this.lastSeq = event.seq;
    else if (typeof event.seq === 'number') this.lastSeq = Math.max(this.lastSeq, event.seq);
    if (this.pending.length === 0) {
      this.pendingSince = start;
      this.pendingParseMs = 0;
      this.scheduleFlush();
    }
    this.pendingParseMs += parsed - start;
    this.pending.push(event);
  }

  /** One flush per frame: a burst spread over many messages becomes one store update and one render each frame.
   * A hidden tab gets no animation frames, so a timer flushes there. */
  private scheduleFlush(): void {
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      this.flush();
    };
    requestAnimationFrame(once);
    setTimeout(once, FLUSH_FALLBACK_MS);
  }

  private flush(): void {
    mark('first-flush');
    const events = this.pending;
    this.pending = [];
    this.onBatch({ events, receivedAt: this.pendingSince, flushedAt: performance.now(), parseMs: this.pendingParseMs });
  }
}
