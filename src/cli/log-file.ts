/** Access-log files of `tandem serve` (`--access-log` for HTTP, `--ftp-access-log` for FTP): opened for appending. */
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { TandemError } from '../util/errors.js';
import type { Output } from './output.js';

/**
 * Opens the log file before the server starts, so a path that cannot be written is a clear usage error, not a
 * crash. A later write error (a full disk) is reported once, and the server goes on without its log.
 */
export function openAccessLog(path: string, flag: string, out: Output): Writable {
  const stream = createWriteStream('', { fd: openLogFile(path, flag) });
  stream.once('error', (err) => out.warn(`access log ${path}: ${err.message}; requests are no longer logged`));
  stream.on('error', () => undefined);
  return stream;
}

export function openLogFile(path: string, flag: string): number {
  try {
    return openSync(path, 'a', 0o644);
  } catch (err) {
    throw new TandemError('CLI_USAGE', `${flag}: cannot open ${path}: ${(err as Error).message}`, 'input');
  }
}

/** Ends the stream and waits until its lines are written. */
export function closeAccessLog(stream: Writable): Promise<void> {
  return new Promise<void>((resolve) => stream.end(() => resolve()));
}
