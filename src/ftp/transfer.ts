/**
 * Moving bytes over a data connection once it is open: a file or a listing out (RETR, LIST, NLST, MLSD), a
 * stream into a temporary file in (STOR, APPE), with backpressure, an idle timeout, ABOR, and one log event each.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { DataFailure, secureData } from './data-channel.js';
import type { Session } from './session.js';

export type DataSocket = Socket | TLSSocket;

/** The data connection for a transfer, with TLS when PROT P is in force (RFC 4217 §9). */
export async function openData(s: Session, signal: AbortSignal): Promise<DataSocket> {
  const sock = await s.data.open(signal);
  sock.on('error', () => undefined);
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

function drained(conn: DataSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      conn.off('drain', done);
      conn.off('close', done);
      resolve();
    };
    conn.once('drain', done);
    conn.once('close', done);
  });
}

/** Writes the end of the stream (a TLS close_notify first) and waits until it is handed to the kernel. */
function finish(conn: DataSocket): Promise<void> {
  return new Promise((resolve) => {
    conn.end(() => resolve());
    conn.once('close', () => resolve());
  });
}

/** Sends `from..end` of a file; resolves with the bytes sent. Each chunk is a fresh buffer handed to the socket. */
export async function sendFile(conn: DataSocket, file: FileHandle, from: number, chunkBytes: number, signal: AbortSignal, idleMs: number): Promise<number> {
  const g = guard(conn, signal, idleMs);
  let sent = 0;
  try {
    for (let pos = from; ; ) {
      const buf = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await Promise.race([file.read(buf, 0, chunkBytes, pos), g.cut]);
      if (bytesRead === 0) break;
      pos += bytesRead;
      sent += bytesRead;
      if (!conn.write(bytesRead === chunkBytes ? buf : buf.subarray(0, bytesRead))) await Promise.race([drained(conn), g.cut]);
      if (conn.destroyed) await g.cut;
    }
    await Promise.race([finish(conn), g.cut]);
  } finally {
    g.release();
  }
  return sent;
}

export async function sendBytes(conn: DataSocket, body: Buffer, signal: AbortSignal, idleMs: number): Promise<number> {
  const g = guard(conn, signal, idleMs);
  try {
    conn.write(body);
    await Promise.race([finish(conn), g.cut]);
  } finally {
    g.release();
  }
  return body.length;
}

/** Receives until the client ends the data connection (RFC 959 §3.3: end of file in stream mode). */
export async function receiveFile(conn: DataSocket, file: FileHandle, from: number, signal: AbortSignal, idleMs: number): Promise<number> {
  // A clean end finishes the loop below; a reset makes it throw (premature close), so 'close' is no signal here.
  const g = guard(conn, signal, idleMs, false);
  let got = 0;
  let pos = from;
  try {
    const reader = (async (): Promise<void> => {
      for await (const chunk of conn as AsyncIterable<Buffer>) {
        await file.write(chunk, 0, chunk.length, pos);
        pos += chunk.length;
        got += chunk.length;
      }
    })();
    reader.catch(() => undefined);
    await Promise.race([reader, g.cut]).catch((err: unknown) => {
      throw err instanceof DataFailure ? err : new DataFailure(426, 'Data connection closed early; transfer aborted');
    });
    conn.end();
  } finally {
    g.release();
  }
  return got;
}
