/**
 * netascii (RFC 1350 §1, RFC 764): line ends travel as CR LF and a bare CR as CR NUL. Encoding works on a whole
 * buffer; decoding is streaming, since a CR may end one DATA block and its partner begin the next.
 */

/** LF → CR LF and CR → CR NUL. */
export function toNetascii(src: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < src.length; i++) if (src[i] === 0x0a || src[i] === 0x0d) extra++;
  if (extra === 0) return src;
  const out = Buffer.allocUnsafe(src.length + extra);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
    } else if (c === 0x0d) {
      out[o++] = 0x0d;
      out[o++] = 0x00;
    } else out[o++] = c;
  }
  return out;
}

/** CR LF → LF and CR NUL → CR; a CR followed by anything else is kept as it is (lenient on bad senders). */
export class NetasciiDecoder {
  private pendingCr = false;

  push(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let o = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (chunk.length === 0) {
        this.pendingCr = true;
        return Buffer.alloc(0);
      }
      const c = chunk[0]!;
      if (c === 0x0a) out[o++] = 0x0a;
      else if (c === 0x00) out[o++] = 0x0d;
      else {
        out[o++] = 0x0d;
        out[o++] = c;
      }
      i = 1;
    }
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c !== 0x0d) {
        out[o++] = c;
        continue;
      }
      if (i + 1 === chunk.length) {
        this.pendingCr = true;
        break;
      }
      const next = chunk[++i]!;
      if (next === 0x0a) out[o++] = 0x0a;
      else if (next === 0x00) out[o++] = 0x0d;
      else {
        out[o++] = 0x0d;
        out[o++] = next;
      }
    }
    return out.subarray(0, o);
  }

  /** A CR left at the very end is kept. */
  end(): Buffer {
    const tail = this.pendingCr ? Buffer.from([0x0d]) : Buffer.alloc(0);
    this.pendingCr = false;
    return tail;
  }
}
