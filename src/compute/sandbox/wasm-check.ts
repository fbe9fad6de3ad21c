/**
 * Reads what the sandbox must know of a WebAssembly module before running it, from the binary itself (WebAssembly
 * core spec §5.5: module sections): its imports and its memory's limits. A module is refused unless it defines one
 * memory with a declared maximum within the work unit's bound, not shared (threads would break determinism), not
 * 64-bit, and imports nothing but WASI preview 1 functions. Pure; hostile bytes end in a ComputeError.
 */
import { ComputeError } from '../errors.js';

export const WASI_MODULE = 'wasi_snapshot_preview1';
export const WASM_PAGE_BYTES = 65536;

export interface ModuleFacts {
  imports: { module: string; name: string; kind: number }[];
  memories: { minPages: number; maxPages: number | null; shared: boolean; memory64: boolean }[];
  exports: { name: string; kind: number }[];
}

const refuse = (why: string): ComputeError => new ComputeError('COMPUTE_MODULE_REFUSED', `module refused: ${why}`, 'input');

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array, private readonly end = b.length) {}
  byte(): number {
    if (this.pos >= this.end) throw refuse('truncated module');
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) {
        if (result > 0xffffffff) throw refuse('LEB128 beyond 32 bits');
        return result;
      }
    }
    throw refuse('LEB128 too long');
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw refuse('truncated name');
    const s = Buffer.from(this.b.subarray(this.pos, this.pos + len)).toString('utf8');
    this.pos += len;
    return s;
  }
  limits(): { minPages: number; maxPages: number | null; shared: boolean; memory64: boolean } {
    const flags = this.byte();
    if (flags > 7) throw refuse(`unknown limits flags ${flags}`);
    const memory64 = (flags & 4) !== 0;
    const min = memory64 ? this.u64AsNumber() : this.u32();
    const max = flags & 1 ? (memory64 ? this.u64AsNumber() : this.u32()) : null;
    return { minPages: min, maxPages: max, shared: (flags & 2) !== 0, memory64 };
  }
  private u64AsNumber(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    throw refuse('LEB128 too long');
  }
}

export function readModuleFacts(bytes: Uint8Array): ModuleFacts {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 8)).toString('hex') !== '0061736d01000000') throw refuse('not a WebAssembly 1.0 binary');
  const facts: ModuleFacts = { imports: [], memories: [], exports: [] };
  const r = new Reader(bytes);
  r.pos = 8;
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw refuse('section beyond the end of the module');
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    if (id === 2) readImports(s, facts);
    else if (id === 5) for (let n = s.u32(); n > 0; n--) facts.memories.push(s.limits());
    else if (id === 7) readExports(s, facts);
    r.pos = end;
  }
  return facts;
}

function readImports(s: Reader, facts: ModuleFacts): void {
  for (let n = s.u32(); n > 0; n--) {
    const module = s.name();
    const name = s.name();
    const kind = s.byte();
    facts.imports.push({ module, name, kind });
    if (kind === 0) s.u32(); // type index
    else if (kind === 1) { s.byte(); s.limits(); } // table: element type, limits
    else if (kind === 2) facts.memories.push(s.limits());
    else if (kind === 3) { s.byte(); s.byte(); } // global: value type, mutability
    else throw refuse(`unknown import kind ${kind}`);
  }
}

function readExports(s: Reader, facts: ModuleFacts): void {
  for (let n = s.u32(); n > 0; n--) {
    const name = s.name();
    const kind = s.byte();
    s.u32();
    facts.exports.push({ name, kind });
  }
}

/** Throws COMPUTE_MODULE_REFUSED unless the module may run under `memoryBytes`; returns its memory's maximum. */
export function checkModule(bytes: Uint8Array, memoryBytes: number): { maxMemoryBytes: number } {
  const facts = readModuleFacts(bytes);
  for (const imp of facts.imports) {
    if (imp.module !== WASI_MODULE || imp.kind !== 0) throw refuse(`imports ${imp.module}.${imp.name} (only ${WASI_MODULE} functions are given)`);
  }
  if (facts.memories.length !== 1) throw refuse(`defines ${facts.memories.length} memories (exactly one is needed)`);
  const mem = facts.memories[0]!;
  if (mem.shared) throw refuse('its memory is shared (threads are refused: results must be deterministic)');
  if (mem.memory64) throw refuse('64-bit memory');
  if (mem.maxPages === null) throw refuse('its memory declares no maximum');
  const maxMemoryBytes = mem.maxPages * WASM_PAGE_BYTES;
  if (maxMemoryBytes > memoryBytes) throw refuse(`its memory may grow to ${maxMemoryBytes} bytes, above the work unit's bound of ${memoryBytes}`);
  if (!facts.exports.some((e) => e.name === 'memory' && e.kind === 2)) throw refuse('exports no memory named "memory"');
  if (!facts.exports.some((e) => e.name === '_start' && e.kind === 0)) throw refuse('exports no function "_start"');
  return { maxMemoryBytes };
}
