// The little of HTTP/1.1 (RFC 9112) a tracker needs: find a request head in a byte buffer, read its request line
// and the headers that decide the connection's fate, and write a response head. Pure; the server owns the socket.
// A tracker only answers GET without a body, so anything else is refused and the connection closed.

export interface RequestHead {
  method: string;
  target: string;
  /** RFC 9112 §9.3: HTTP/1.1 stays open unless "Connection: close"; HTTP/1.0 closes unless "keep-alive". */
  keepAlive: boolean;
  /** A Content-Length above 0 or a Transfer-Encoding: a body we will not read, so the connection must close. */
  hasBody: boolean;
  /** Bytes of the buffer the head used, including the blank line. */
  headBytes: number;
}

export type HeadParse = { kind: 'incomplete' } | { kind: 'bad'; status: 400 | 414 | 431 | 505; reason: string } | { kind: 'head'; head: RequestHead };

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Looks for one request head at the start of `buf`; never reads past `maxHeadBytes`. */
export function parseRequestHead(buf: Buffer, maxHeadBytes: number): HeadParse {
  const end = buf.indexOf(CRLFCRLF, 0);
  if (end < 0) return buf.length > maxHeadBytes ? { kind: 'bad', status: 431, reason: 'request head too large' } : { kind: 'incomplete' };
  if (end + 4 > maxHeadBytes) return { kind: 'bad', status: 431, reason: 'request head too large' };
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = /^([A-Z]{1,16}) (\S{1,8192}) HTTP\/1\.([01])$/.exec(lines[0]!);
  if (!m) return { kind: 'bad', status: /HTTP\/[2-9]/.test(lines[0]!) ? 505 : 400, reason: 'malformed request line' };
  let keepAlive = m[3] === '1';
  let hasBody = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return { kind: 'bad', status: 400, reason: 'malformed header line' };
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === 'connection') {
      if (value.includes('close')) keepAlive = false;
      else if (value.includes('keep-alive')) keepAlive = true;
    } else if (name === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return { kind: 'bad', status: 400, reason: 'bad content-length' };
      if (Number(value) > 0) hasBody = true;
    } else if (name === 'transfer-encoding') hasBody = true;
  }
  return { kind: 'head', head: { method: m[1]!, target: m[2]!, keepAlive: keepAlive && !hasBody, hasBody, headBytes: end + 4 } };
}

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 414: 'URI Too Long', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 505: 'HTTP Version Not Supported' };

/** One response, head and body in one buffer (one write, one segment for small answers). */
export function encodeResponse(status: number, contentType: string, body: Buffer, keepAlive: boolean, headOnly = false): Buffer {
  const head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
  if (headOnly) return Buffer.from(head, 'latin1');
  const out = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + body.length);
  const n = out.write(head, 0, 'latin1');
  body.copy(out, n);
  return out;
}
