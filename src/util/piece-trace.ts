/**
 * A timeline of a process's piece traffic, for finding where a swarm's time goes (`tandem lab --trace`). When the
 * environment names a file in TANDEM_PIECE_TRACE, each swarm event below appends one line to it:
 * `<epoch ms> <event> <piece> [<peer host>]`, after a first line `origin <epoch ms>` (when the process started).
 * Events are per piece, not per block, so a trace costs nothing a transfer would notice; without the variable
 * nothing is recorded. Lines are buffered and written every second and at exit: a process killed with SIGKILL
 * loses its last second.
 *
 * @example
 *   TANDEM_PIECE_TRACE=/tmp/c1.trace tandem get x.torrent -o out
 *   # 1733350000123 request-sent 17 10.77.0.1
 */
import { appendFileSync } from 'node:fs';

export type PieceTraceEvent =
  /** A peer's connection is ready (handshakes done); the piece is 0. */
  | 'connected'
  /** We asked the peer for the first block of the piece. */
  | 'request-sent'
  /** The first block of the piece came from the peer. */
  | 'block-received'
  /** The piece passed its hash check and is on disk. */
  | 'verified'
  /** The peer told us it has the piece (BEP 3 HAVE). */
  | 'have-received'
  /** The peer asked us for the first block of the piece. */
  | 'request-received'
  /** We started sending the piece's first block to the peer. */
  | 'send-started';

/** Lines buffered before a write. */
const BUFFERED_LINES = 256;
const FLUSH_MS = 1000;

class PieceTrace {
  private readonly lines: string[] = [];

  constructor(private readonly file: string) {
    this.lines.push(`origin ${Math.round(performance.timeOrigin)}`);
    process.on('exit', () => this.flush());
    setInterval(() => this.flush(), FLUSH_MS).unref();
  }

  add(event: PieceTraceEvent, piece: number, peerHost: string): void {
    this.lines.push(peerHost ? `${Date.now()} ${event} ${piece} ${peerHost}` : `${Date.now()} ${event} ${piece}`);
    if (this.lines.length >= BUFFERED_LINES) this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    try {
      appendFileSync(this.file, this.lines.join('\n') + '\n');
    } catch {
      // A trace that cannot be written is not worth failing a transfer for.
    }
    this.lines.length = 0;
  }
}

const file = process.env.TANDEM_PIECE_TRACE;
const trace = file ? new PieceTrace(file) : undefined;

/** Records a swarm event when TANDEM_PIECE_TRACE is set; a no-op otherwise. */
export function tracePiece(event: PieceTraceEvent, piece: number, peerHost: string): void {
  trace?.add(event, piece, peerHost);
}
