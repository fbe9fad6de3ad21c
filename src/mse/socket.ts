import type { Socket } from 'node:net';
import { MseError } from './errors.js';
import type { MseHandshake, MseResult } from './types.js';

/**
 * Where a socket's bytes come from while the handshake runs: a `'data'` listener, or a dialled socket's reused
 * read buffer (`transient` chunks are overwritten by the next read, so they are copied). `detach` stops the flow
 * to the handshake without losing bytes: the owner keeps or pauses them for the connection that takes over.
 */
export interface ByteSource {
  attach(sink: (chunk: Buffer, transient: boolean) => void): void;
  detach(): void;
}

/** A socket's `'data'` events as a ByteSource; detaching pauses the socket (the next owner resumes it). */
export function dataEvents(socket: Socket): ByteSource {
  let listener: ((chunk: Buffer) => void) | undefined;
  return {
    attach(sink) {
      listener = (chunk) => sink(chunk, false);
      socket.on('data', listener);
      socket.resume();
    },
    detach() {
      socket.pause();
      if (listener) socket.off('data', listener);
    },
  };
}

export interface RunOptions {
  source: ByteSource;
  timeoutMs: number;
  /** Bytes to send first (the initiator's step 1). */
  first?: Buffer;
  /** Bytes already read from the socket (the listener's sniffed prefix). */
  received?: Buffer;
}

/**
 * The I/O shell around a pure handshake: writes what it answers, feeds it what arrives, and settles once it is
 * over, fails (an `MseError`), times out, or the socket closes. It never destroys the socket: the caller does,
 * on failure, and hands it on, on success.
 */
export function runHandshake(socket: Socket, handshake: MseHandshake, options: RunOptions): Promise<MseResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | undefined, result?: MseResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.source.detach();
      socket.off('close', onClose);
      socket.off('error', onError);
      if (err) reject(err);
      else resolve(result!);
    };
    const feed = (chunk: Buffer, transient: boolean): void => {
      if (settled) return;
      try {
        const step = handshake.receive(transient ? Buffer.from(chunk) : chunk);
        for (const out of step.send) socket.write(out);
        if (step.done) settle(undefined, step.done);
      } catch (err) {
        // The roles throw only MseError on bad input (fuzzed); anything else is a bug, passed on as it is.
        settle(err as Error);
      }
    };
    const onClose = (): void => settle(new MseError('MSE_CLOSED', 'the peer closed the connection during the encryption handshake'));
    const onError = (err: Error): void => settle(new MseError('MSE_CLOSED', `connection failed during the encryption handshake: ${err.message}`));
    const timer = setTimeout(() => settle(new MseError('MSE_TIMEOUT', `encryption handshake not finished within ${options.timeoutMs} ms`)), options.timeoutMs);
    socket.on('close', onClose);
    socket.on('error', onError);
    if (options.first) socket.write(options.first);
    if (options.received?.length) feed(options.received, false);
    if (!settled) options.source.attach(feed);
  });
}
