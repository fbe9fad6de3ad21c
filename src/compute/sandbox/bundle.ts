/**
 * An instance's output as one byte string: stdout and the files the module created, sorted by name, so equal
 * outputs are equal bytes and one SHA-256 judges them (bitwise validation). Layout: "TCO1", then per entry a
 * u16 name length, the UTF-8 name, a u32 length and the bytes. stdout is the entry named "<stdout>", a name no
 * output file may take.
 */
import { ComputeError } from '../errors.js';

const MAGIC = Buffer.from('TCO1');
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isOutputName(name: string): boolean {
  return NAME_RE.test(name) && name !== '.' && name !== '..';
}

/** Thrown from inside a WASI call when the module writes beyond the work unit's output bound. */
export class OutputLimit extends Error {
  constructor(readonly limitBytes: number) {
    super(`output beyond its bound of ${limitBytes} bytes`);
  }
}

export class OutputBundle {
  static readonly STDOUT = '<stdout>';
  private static readonly MAX_FILES = 64;
  private readonly files = new Map<string, Buffer[]>([[OutputBundle.STDOUT, []]]);
  private total = 0;

  constructor(private readonly limitBytes: number) {}

  create(name: string, truncate: boolean): void {
    if (!this.files.has(name) && this.files.size > OutputBundle.MAX_FILES) throw new OutputLimit(this.limitBytes);
    if (truncate || !this.files.has(name)) {
      for (const c of this.files.get(name) ?? []) this.total -= c.length;
      this.files.set(name, []);
    }
  }

  append(name: string, chunk: Uint8Array): void {
    if (this.total + chunk.length > this.limitBytes) throw new OutputLimit(this.limitBytes);
    this.total += chunk.length;
    this.files.get(name)!.push(Buffer.from(chunk));
  }

  encode(): Buffer {
    return encodeBundle(new Map([...this.files].map(([k, v]) => [k, Buffer.concat(v)])));
  }
}

export function encodeBundle(files: Map<string, Buffer>): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const name of [...files.keys()].sort()) {
    const n = Buffer.from(name);
    const head = Buffer.alloc(2 + n.length + 4);
    head.writeUInt16BE(n.length, 0);
    n.copy(head, 2);
    const data = files.get(name)!;
    head.writeUInt32BE(data.length, 2 + n.length);
    parts.push(head, data);
  }
  return Buffer.concat(parts);
}

/** Parses a bundle from the network (hostile): names checked, lengths within the buffer. */
export function decodeBundle(buf: Buffer): Map<string, Buffer> {
  const bad = (why: string): ComputeError => new ComputeError('COMPUTE_BAD_REQUEST', `output bundle: ${why}`, 'input');
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw bad('no TCO1 header');
  const files = new Map<string, Buffer>();
  let at = 4;
  while (at < buf.length) {
    if (at + 2 > buf.length) throw bad('truncated name length');
    const nameLen = buf.readUInt16BE(at);
    if (at + 2 + nameLen + 4 > buf.length) throw bad('truncated entry');
    const name = buf.subarray(at + 2, at + 2 + nameLen).toString('utf8');
    if (name !== OutputBundle.STDOUT && !isOutputName(name)) throw bad(`bad name ${JSON.stringify(name)}`);
    if (files.has(name)) throw bad(`name ${name} twice`);
    const len = buf.readUInt32BE(at + 2 + nameLen);
    const start = at + 2 + nameLen + 4;
    if (start + len > buf.length) throw bad('entry beyond the end');
    files.set(name, buf.subarray(start, start + len));
    at = start + len;
  }
  return files;
}
