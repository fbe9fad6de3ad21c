/**
 * Access log lines in the Combined Log Format (Apache's `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`),
 * the format log analysers read.
 */
import type { Writable } from 'node:stream';

export interface AccessRecord {
  remoteAddress: string;
  user?: string;
  timeMs: number;
  method: string;
  target: string;
  httpVersion: string;
  status: number;
  bodyBytes: number;
  referer?: string;
  userAgent?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `[10/Oct/2000:13:55:36 +0000]` in UTC. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
}

/** Quotes and control bytes from the network are escaped so one request is always one log line. */
export function escapeField(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.slice(0, 2048).replace(/[\u0000-\u001f\u007f"\\]/g, (c) => (c === '"' ? '\\"' : c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function formatCombined(r: AccessRecord): string {
  const user = r.user ? escapeField(r.user).replace(/ /g, '\\x20') : '-';
  const request = escapeField(`${r.method} ${r.target} HTTP/${r.httpVersion}`);
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
