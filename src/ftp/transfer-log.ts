/**
 * One log line per FTP login and transfer, in the manner of the HTTP access log and xferlog: who, when, the command
 * and path, the outcome, the bytes moved and the time taken. Names come from the network, so they are escaped.
 *
 * @example
 *   127.0.0.1 - anonymous [03/Dec/2026:17:40:00 +0000] "RETR /big.bin" ok 1048576 0.213s tls
 *   127.0.0.1 - bob [03/Dec/2026:17:40:01 +0000] "PASS" failed
 */
import { clfTime, escapeField } from '../http/access-log.js';
import type { FtpEvent } from './session-config.js';

export function formatFtpLine(e: FtpEvent): string | undefined {
  if (e.event === 'ftp:login') return `${e.remote} - ${escapeField(e.user).replace(/ /g, '\\x20')} ${clfTime(e.timeMs)} "LOGIN" ${e.outcome}`;
  if (e.event === 'ftp:transfer') {
    const line = `${e.remote} - ${escapeField(e.user)} ${clfTime(e.startedMs)} "${escapeField(`${e.command} ${e.path}`)}" ${e.outcome} ${e.bytes} ${e.seconds.toFixed(3)}s${e.tls ? ' tls' : ''}`;
    return e.outcome === 'ok' ? line : `${line} "${escapeField(e.error ?? 'error')}"`;
  }
  if (e.event === 'ftp:refused') return `${e.remote} - - ${clfTime(Date.now())} "REFUSED" ${escapeField(e.reason)}`;
  return undefined;
}
