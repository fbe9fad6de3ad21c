/**
 * Moving bytes over a data connection once it is open: a file or a listing out (RETR, LIST, NLST, MLSD), a
 * stream into a temporary file in (STOR, APPE), with backpressure, an idle timeout, ABOR, and one log event each.
 */
import { read, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { BatchWriter } from './batch-writer.js';
import { DataFailure, secureData } from './data-channel.js';
import type { OwnReads } from './read-buffers.js';
import type { Session } from './session.js';

export type DataSocket = Socket | TLSSocket;

/**
 * The data connection for a transfer, with TLS when PROT P is in force (RFC 4217 §9). A plain one reads into
 * `reads`' buffers when given (TLS reads its own socket).
 */
export async function openData(s: Session, signal: AbortSignal, reads?: OwnReads): Promise<DataSocket> {
  const sock = await s.data.open(signal, s.state.prot === 'P' ? undefined : reads);
  sock.on('error', () => undefined);
  sock.setNoDelay(true);
  if (s.state.prot !== 'P') return sock;
  return secureData(sock, s.context(), s.cfg.tls!.allowUnresumed, s.cfg.tlsHandshakeTimeoutMs, signal);
}

/** Refuses a clear data connection where TLS is required (RFC 4217 §10: 521). */
export function dataRefusal(s: Session): string | undefined {
  if (s.cfg.tls?.required && s.state.prot !== 'P') return 'Data connections must be protected: send PROT P';
  if (!s.data.prepared) return 'Use PASV, EPSV, PORT or EPRT first';
  return undefined;
}

/** Ends the connection with `cut` when it is idle too long, closes early, or the transfer is aborted. */
function guard(conn: DataSocket, signal: AbortSignal, idleMs: number, closeIsFailure = true): { cut: Promise<never>; release(): void } {
  let fail!: (e: DataFailure) => void;
  const cut = new Promise<never>((_, reject) => (fail = reject));
  cut.catch(() => undefined);
  const onAbort = (): void => {
    fail(new DataFailure(426, 'Connection closed; transfer aborted'));
    conn.destroy();
  };
  const onClose = (): void => fail(new DataFailure(426, 'Data connection closed early; transfer aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  conn.setTimeout(idleMs, () => {
    fail(new DataFailure(426, 'Data connection idle too long; transfer aborted'));
    conn.destroy();
  });
  if (closeIsFailure) conn.once('close', onClose);
  return {
    cut,
    release: () => {
      signal.removeEventListener('abort', onAbort);
      conn.off('close', onClose);
      conn.setTimeout(0);
    },
  };
}

/**
 * Writes the end of the stream (a TLS close_notify first) and waits until it is handed to the kernel. A connection
 * that failed on the way (the client reset it) rejects with 426: its bytes did not all arrive.
 */
function finish(conn: DataSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => (conn.errored ? reject(new DataFailure(426, 'Data connection failed; transfer aborted')) : resolve());
    conn.end(done);
    conn.once('close', done);
  });
}

/**
 * Releases a sending data connection. A plain one never reads, so it would not see the client's FIN and would stay
 * open until the session ends (a mirror of thousands of files held thousands of sockets): it is closed, and the
 * kernel still delivers the queued bytes and the FIN. A TLS one reads (the client may answer our close_notify with
 * its own, which a closed socket would answer with a reset) and closes when the client does.
 */
function letGo(conn: DataSocket): void {
  if (conn instanceof TLSSocket) conn.resume();
  else conn.destroy();
}

/** Files up to this size are read at once, synchronously, and sent in one write (`readSmall`, `sendBody`). */
export const SMALL_FILE_BYTES = 64 * 1024;
/** Chunks in flight per transfer: enough to keep the socket busy while the next one is read. */
const RING_CHUNKS = 4;

/** `from..end` of an open file of at most SMALL_FILE_BYTES, in one synchronous read (a file that shrank: less). */
export function readSmall(file: { fd: number; from: number; end: number }): Buffer {
  const total = Math.max(0, file.end - file.from);
  const buf = Buffer.allocUnsafe(total);
  const n = total > 0 ? readSync(file.fd, buf, 0, total, file.from) : 0;
  return n === total ? buf : buf.subarray(0, n);
}

/**
 * Sends `from..end` of an open file of any size through a ring of at most four buffers, each reused only after the
 * socket has let go of it (its write callback): no copy, and no fresh megabyte per chunk for the garbage collector.
 * A file that grows while sent is sent up to `end`.
 */
export async function sendFile(conn: DataSocket, file: { fd: number; from: number; end: number }, chunkBytes: number, signal: AbortSignal, idleMs: number): Promise<number> {
  const g = guard(conn, signal, idleMs);
  try {
    const sent = await streamRing(conn, file, chunkBytes, g.cut);
    await Promise.race([finish(conn), g.cut]);
    return sent;
  } finally {
    g.release();
    letGo(conn);
  }
}

/** A transfer's bytes when it is already over, or its remainder to run in the background. */
export type Move = number | ((signal: AbortSignal) => Promise<number>);

/**
 * Sends a body held in memory (a small file, a listing). When the passive connection has already come and is plain,
 * as a mirroring client has it, the body is written at once and, once the kernel has taken all of it, the socket is
 * closed (the kernel still delivers the bytes and the FIN): the transfer is over before its 150 reply leaves, with
 * no timer, promise or listener set up, and the caller sends the 150 and 226 together. Otherwise the transfer runs
 * in the background: waiting for the connection, TLS, or a kernel buffer that took only part of the body.
 */
export function sendBody(s: Session, body: Buffer): Move {
  const idleMs = s.cfg.dataIdleTimeoutMs;
  const conn = s.state.prot === 'C' ? s.data.takeArrived() : undefined;
  if (!conn) return async (signal) => sendBytes(await openData(s, signal), body, signal, idleMs);
  conn.write(body);
  if (conn.writableLength === 0 && !conn.errored && !conn.destroyed) {
    conn.destroy();
    return body.length;
  }
  conn.setNoDelay(true);
  return (signal) => endSend(conn, body.length, signal, idleMs);
}

async function streamRing(conn: DataSocket, file: { fd: number; from: number; end: number }, chunkBytes: number, cut: Promise<never>): Promise<number> {
  const free: Buffer[] = [];
  let made = 0;
  let wake: (() => void) | undefined;
  const giveBack = (b: Buffer): void => {
    free.push(b);
    wake?.();
  };
  let pos = file.from;
  while (pos < file.end) {
    if (free.length === 0 && made < RING_CHUNKS) {
      free.push(Buffer.allocUnsafe(chunkBytes));
      made++;
    }
    while (free.length === 0) await Promise.race([new Promise<void>((r) => (wake = r)), cut]);
    const buf = free.pop()!;
    const want = Math.min(chunkBytes, file.end - pos);
    const n = await Promise.race([readAt(file.fd, buf, want, pos), cut]);
    if (n === 0) break; // the file shrank
    pos += n;
    conn.write(n === chunkBytes ? buf : buf.subarray(0, n), () => giveBack(buf));
    if (conn.destroyed) await cut;
  }
  return pos - file.from;
}

function readAt(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

function sendBytes(conn: DataSocket, body: Buffer, signal: AbortSignal, idleMs: number): Promise<number> {
  conn.write(body);
  return endSend(conn, body.length, signal, idleMs);
}

/** Ends a send whose bytes are all written to `conn` (queued or not): resolves once they and the end are sent. */
async function endSend(conn: DataSocket, bytes: number, signal: AbortSignal, idleMs: number): Promise<number> {
  if (conn.destroyed) {
    letGo(conn);
    throw new DataFailure(426, 'Data connection closed early; transfer aborted');
  }
  const g = guard(conn, signal, idleMs);
  try {
    await Promise.race([finish(conn), g.cut]);
  } finally {
    g.release();
    letGo(conn);
  }
  return bytes;
}

/**
 * Receives into `file` from `from` until the client ends the data connection (RFC 959 §3.3: end of file in stream
 * mode). A plain connection reads straight into the batches of a BatchWriter; a TLS one hands its decrypted chunks
 * to receiveChunks.
 */
export async function receiveFile(s: Session, file: FileHandle, from: number, signal: AbortSignal): Promise<number> {
  let failed!: (err: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  // resume is called only after a write, so only once reads have started on `conn`.
  const writer = new BatchWriter(file, from, { resume: () => conn.resume(), fail: (err) => failed(err) });
  const conn = await openData(s, signal, writer);
  if (!writer.attached) return receiveChunks(conn, file, from, signal, s.cfg.dataIdleTimeoutMs);
  const g = guard(conn, signal, s.cfg.dataIdleTimeoutMs, false);
  const ended = new Promise<void>((resolve, reject) => {
    conn.once('end', resolve);
    conn.once('close', () => reject(new DataFailure(426, 'Data connection closed early; transfer aborted')));
  });
  ended.catch(() => undefined);
  conn.resume();
  let ok = false;
  try {
    await Promise.race([ended, failure, g.cut]);
    await Promise.race([writer.finish(), g.cut]);
    conn.end();
    ok = true;
  } finally {
    g.release();
    if (!ok) conn.destroy();
  }
  return writer.written;
}

/** Received bytes are gathered up to this much before one writev. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Reading pauses while this much waits for the disk. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * Receives until the client ends the data connection (RFC 959 §3.3: end of file in stream mode). Chunks are
 * gathered while the previous writev is under way, so reading the socket and writing the file overlap, with one
 * system call per megabyte or so; reading pauses when the disk falls behind.
 */
async function receiveChunks(conn: DataSocket, file: FileHandle, from: number, signal: AbortSignal, idleMs: number): Promise<number> {
  // A clean 'end' finishes the transfer; a reset or an early close fails it (the 'close' handler below).
  const g = guard(conn, signal, idleMs, false);
  let pos = from;
  let batch: Buffer[] = [];
  let bytes = 0;
  let writing = false;
  let ended = false;
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);
  const write = (): void => {
    if (writing) return;
    if (bytes === 0) {
      if (ended) settle.resolve();
      return;
    }
    writing = true;
    const chunks = batch;
    const n = bytes;
    batch = [];
    bytes = 0;
    file.writev(chunks, pos).then(
      () => {
        pos += n;
        writing = false;
        if (conn.isPaused() && !ended) conn.resume();
        if (ended || bytes >= WRITE_BATCH_BYTES) write();
      },
      (err: unknown) => settle.reject(err),
    );
  };
  const onData = (chunk: Buffer): void => {
    batch.push(chunk);
    bytes += chunk.length;
    if (bytes >= WRITE_BATCH_BYTES) write();
    if (bytes >= MAX_PENDING_BYTES) conn.pause();
  };
  const onEnd = (): void => {
    ended = true;
    write();
  };
  const onClose = (): void => {
    if (!ended) settle.reject(new DataFailure(426, 'Data connection closed early; transfer aborted'));
  };
  conn.on('data', onData);
  conn.once('end', onEnd);
  conn.once('close', onClose);
  conn.resume(); // a connection accepted with pauseOnConnect does not flow by itself when 'data' is listened to
  try {
    await Promise.race([done, g.cut]);
    conn.end();
  } finally {
    conn.off('data', onData);
    conn.off('end', onEnd);
    conn.off('close', onClose);
    g.release();
  }
  return pos - from;
}
