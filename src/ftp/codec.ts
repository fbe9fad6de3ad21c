/**
 * The pure FTP control-channel codec: bytes to command lines (RFC 959 §4.1, §5.3), a command line to a verb and
 * its argument, and replies to bytes and back (RFC 959 §4.2). Nothing here knows about connections or files.
 *
 * @example
 *   const lines = new LineSplitter(4096);
 *   for (const l of lines.push(Buffer.from('USER ftp\r\nPASS x\r\n'))) parseCommand(l); // { verb: 'USER', arg: 'ftp' }
 *   formatReply(211, ['Features:', 'EPSV', 'End']); // '211-Features:\r\n EPSV\r\n211 End\r\n'
 */

/** Telnet "Interpret As Command" (RFC 854), which RFC 959 §4.1.3 puts before ABOR as IP and Synch. */
const IAC = 0xff;
const CR = 0x0d;
const LF = 0x0a;

export type SplitResult = { lines: string[]; tooLong: boolean };

/**
 * Cuts the control stream into lines at CRLF (a bare LF is accepted too, as every server does). Telnet IAC
 * sequences are dropped and `IAC IAC` is one 0xFF byte. Bytes are decoded as UTF-8 (RFC 2640 §2.2); what is not
 * valid UTF-8 becomes U+FFFD, which no path check lets through. A line longer than `maxLineBytes` stops the split.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): SplitResult {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== LF) continue;
      lines.push(this.finish(chunk.subarray(start, i)));
      start = i + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return { lines, tooLong: this.pendingBytes > this.maxLineBytes || lines.some((l) => l.length > this.maxLineBytes) };
  }

  /** Forgets bytes that arrived after a line that changes the channel (AUTH TLS: RFC 4217 §4, CVE-2011-1575). */
  discard(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  private finish(tail: Buffer): string {
    const raw = this.pending.length === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.discard();
    let end = raw.length;
    if (end > 0 && raw[end - 1] === CR) end--;
    return stripTelnet(raw.subarray(0, end)).toString('utf8');
  }
}

/** Drops Telnet commands (IAC x, and IAC SB..SE is not used by FTP clients); `IAC IAC` stands for 0xFF. */
function stripTelnet(b: Buffer): Buffer {
  if (!b.includes(IAC)) return b;
  const out = Buffer.allocUnsafe(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== IAC) out[n++] = b[i]!;
    else if (b[i + 1] === IAC) out[n++] = b[++i]!;
    else i++; // skip the command byte after IAC (IP, DM, ...)
  }
  return out.subarray(0, n);
}

export type Command = { verb: string; arg: string };

/**
 * One command line: a verb of 3 or 4 letters (RFC 959 §5.3.1), case-insensitive, then one space and the argument,
 * which is kept as sent (file names may hold spaces). Anything else is undefined: the caller answers 500.
 */
export function parseCommand(line: string): Command | undefined {
  const m = /^([A-Za-z]{3,4})(?: (.*))?$/s.exec(line);
  if (!m) return undefined;
  return { verb: m[1]!.toUpperCase(), arg: m[2] ?? '' };
}

/** CR and LF in a reply would let a name from the network forge reply lines; they become spaces. */
function clean(text: string): string {
  return text.replace(/[\r\n\0]/g, ' ');
}

/**
 * A reply (RFC 959 §4.2): one line `CODE text`, or several: `CODE-first`, the middle lines, `CODE last`. A middle
 * line is indented by one space so that it never starts with a code (and RFC 2389 §3.2 wants FEAT lines so).
 */
export function formatReply(code: number, text: string | readonly string[]): string {
  const lines = typeof text === 'string' ? [text] : text;
  if (lines.length <= 1) return `${code} ${clean(lines[0] ?? '')}\r\n`;
  const middle = lines.slice(1, -1).map((l) => ` ${clean(l)}\r\n`).join('');
  return `${code}-${clean(lines[0]!)}\r\n${middle}${code} ${clean(lines.at(-1)!)}\r\n`;
}

export type Reply = { code: number; lines: string[] };

/**
 * The client's side: bytes to complete replies. A multi-line reply ends at the line that starts with the same code
 * and a space (RFC 959 §4.2). A reply longer than `maxReplyBytes` in all is a protocol error.
 */
export class ReplyParser {
  private lines: LineSplitter;
  private current: Reply | undefined;
  private currentBytes = 0;

  constructor(private readonly maxReplyBytes = 1024 * 1024) {
    this.lines = new LineSplitter(64 * 1024);
  }

  push(chunk: Buffer): Reply[] {
    const { lines, tooLong } = this.lines.push(chunk);
    if (tooLong) throw new Error('reply line too long');
    const done: Reply[] = [];
    for (const line of lines) {
      const r = this.takeLine(line);
      if (r) done.push(r);
    }
    return done;
  }

  private takeLine(line: string): Reply | undefined {
    if (this.current) {
      this.currentBytes += line.length;
      if (this.currentBytes > this.maxReplyBytes) throw new Error('reply too long');
      const code = String(this.current.code);
      if (line.startsWith(code + ' ')) {
        this.current.lines.push(line.slice(4));
        const r = this.current;
        this.current = undefined;
        return r;
      }
      this.current.lines.push(line.startsWith(code + '-') ? line.slice(4) : line);
      return undefined;
    }
    const m = /^([1-5]\d\d)([ -])(.*)$/s.exec(line);
    if (!m) throw new Error(`not an FTP reply: ${JSON.stringify(line.slice(0, 80))}`);
    const reply = { code: Number(m[1]), lines: [m[3]!] };
    if (m[2] === ' ') return reply;
    this.current = reply;
    this.currentBytes = line.length;
    return undefined;
  }
}
