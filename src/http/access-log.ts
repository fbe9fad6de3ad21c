/**
 * Access log lines in the Combined Log Format (Apache's `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`),
 * the format log analysers read.
 */
import type { Writable } from 'node:stream';

interface RecordCommon {
  remoteAddress: string;
  user?: string;
  timeMs: number;
  status: number;
  bodyBytes: number;
  referer?: string;
  userAgent?: string;
}

/**
 * One request: parsed (method, target, version), or refused before it could be parsed, with its request line as
 * it arrived (`''` when none did, logged as `-`, as nginx logs a 400 or 408).
 */
export type AccessRecord = RecordCommon & ({ method: string; target: string; httpVersion: string } | { requestLine: string });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `[10/Oct/2000:13:55:36 +0000]` in UTC. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
}

/**
 * Everything from the network but printable ASCII is escaped (quotes and backslashes too), as nginx escapes it, so
 * one request is always one log line: no CR or LF, and no C1 control such as NEL (a latin1 0x85) that some readers
 * take for a line break. Header bytes arrive as latin1 characters, so `\xHH` gives back the byte that was sent.
 */
export function escapeField(s: string): string {
  return s.slice(0, 2048).replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, (c) => {
    if (c === '"' || c === '\\') return '\\' + c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export function formatCombined(r: AccessRecord): string {
  const user = r.user ? escapeField(r.user).replace(/ /g, '\\x20') : '-';
  const request = 'requestLine' in r ? (r.requestLine === '' ? '-' : escapeField(r.requestLine)) : escapeField(`${r.method} ${r.target} HTTP/${r.httpVersion}`);
  const bytes = r.bodyBytes > 0 ? String(r.bodyBytes) : '-';
  return `${r.remoteAddress} - ${user} ${clfTime(r.timeMs)} "${request}" ${r.status} ${bytes} "${escapeField(r.referer ?? '-')}" "${escapeField(r.userAgent ?? '-')}"`;
}

/** Writes one line per record; a full stream drops nothing but the caller may see memory grow (logs are small). */
export class AccessLog {
  constructor(private readonly out: Writable) {}

  write(r: AccessRecord): void {
    this.out.write(formatCombined(r) + '\n');
  }
}
