/**
 * One log line per TFTP request, in the manner of the Combined Log Format the HTTP server writes: who, when, what
 * was asked, how it ended, the bytes moved and the time taken, and the reason when it failed. The file name and the
 * reason come from the network, so they are escaped: one request is always one line.
 *
 * @example
 *   127.0.0.1:40112 - - [21/Nov/2026:12:00:00 +0000] "RRQ boot/kernel octet" ok 10485760 0.213s
 *   127.0.0.1:40113 - - [21/Nov/2026:12:00:01 +0000] "RRQ nope octet" error 0 0.001s "file not found"
 */
import { clfTime, escapeField } from '../http/access-log.js';
import type { TransferReport } from './server.js';

export function formatTransferLine(r: TransferReport): string {
  const request = escapeField(`${r.direction === 'read' ? 'RRQ' : 'WRQ'} ${r.file} ${r.mode}`);
  const line = `${r.remote} - - ${clfTime(r.startedMs)} "${request}" ${r.outcome} ${r.bytes} ${r.seconds.toFixed(3)}s`;
  return r.outcome === 'ok' ? line : `${line} "${escapeField(r.error ?? 'error')}"`;
}
