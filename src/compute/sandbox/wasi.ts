/**
 * tandem's own WASI preview 1 imports, all in memory (node:wasi is no security boundary, its documentation says so).
 * The module sees: its arguments and environment, stdin (the first input), a preopened folder "." holding the
 * inputs (read only) and any output files it creates, stdout and stderr. Nothing of the host: no files, no sockets,
 * no processes. The clock and random numbers are derived from the work unit's seed, so two honest hosts compute
 * the same bytes (bitwise validation). Every other WASI function answers ENOSYS.
 */
import { createHash } from 'node:crypto';
import type { WasmMemory } from './wasm-api.js';
import { OutputBundle, OutputLimit, isOutputName } from './bundle.js';
import { CheckpointFiles, isCheckpointName } from './checkpoints.js';

// WASI preview 1 errno values (witx `errno`).
const OK = 0, EBADF = 8, EINVAL = 28, EISDIR = 31, ENOENT = 44, ENOSYS = 52, ENOTCAPABLE = 76, ESPIPE = 70, EFAULT = 21;
const FILETYPE_CHAR = 2, FILETYPE_DIR = 3, FILETYPE_FILE = 4;
const OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_TRUNC = 8;
const PREOPEN_FD = 3;
const PREOPEN_NAME = '.';

export class ProcExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

export interface WasiInit {
  args: string[];
  env: Record<string, string>;
  inputs: Map<string, Uint8Array>;
  stdin: Uint8Array;
  /** 32 bytes from the work unit; the clock and random_get are derived from it. */
  seed: Uint8Array;
  outputBytes: number;
  stderrBytes: number;
  /** Checkpoint files of an earlier run of this instance (checkpoints.ts). */
  checkpoints?: [string, Uint8Array][];
  /** Called with each checkpoint file the module closes after writing it. */
  onCheckpoint?: (name: string, data: Uint8Array) => void;
}

type Handle = { kind: 'read'; data: Uint8Array; pos: number } | { kind: 'write'; name: string } | { kind: 'checkpoint' } | { kind: 'stderr' } | { kind: 'dir' };
type Fn = (...args: (number | bigint)[]) => number | void;

export class Wasi {
  memory?: WasmMemory;
  readonly out: OutputBundle;
  private readonly checkpoints: CheckpointFiles;
  readonly stderr: Uint8Array[] = [];
  private stderrBytes = 0;
  private readonly fds = new Map<number, Handle>();
  private nextFd = PREOPEN_FD + 1;
  private clockCalls = 0n;
  private randomCounter = 0;
  private readonly epochNs: bigint;

  constructor(private readonly init: WasiInit) {
    this.out = new OutputBundle(init.outputBytes);
    this.checkpoints = new CheckpointFiles(init.checkpoints ?? [], init.outputBytes, init.onCheckpoint);
    this.fds.set(0, { kind: 'read', data: init.stdin, pos: 0 });
    this.fds.set(1, { kind: 'write', name: OutputBundle.STDOUT });
    this.fds.set(2, { kind: 'stderr' });
    this.fds.set(PREOPEN_FD, { kind: 'dir' });
    // A fixed date (2023-11-14) plus up to a year chosen by the seed: plausible, and the same on every host.
    this.epochNs = (1_700_000_000n + BigInt(Buffer.from(init.seed).readUInt32BE(0) % 31_536_000)) * 1_000_000_000n;
  }

  /** The import object for `names` (the module's own WASI imports); unknown ones answer ENOSYS. */
  imports(names: string[]): Record<string, Fn> {
    const known = this.functions();
    const result: Record<string, Fn> = {};
    for (const name of names) result[name] = known[name] ?? (() => ENOSYS);
    return result;
  }

  private view(): DataView {
    if (!this.memory) throw new Error('WASI call before the memory was bound');
    return new DataView(this.memory.buffer);
  }

  private bytes(ptr: number, len: number): Uint8Array {
    const buf = this.memory!.buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) throw new RangeError('pointer out of bounds');
    return new Uint8Array(buf, ptr, len);
  }

  private functions(): Record<string, Fn> {
    return {
      args_sizes_get: (argc, size) => this.sizes(this.init.args, argc as number, size as number),
      args_get: (argv, buf) => this.strings(this.init.args, argv as number, buf as number),
      environ_sizes_get: (n, size) => this.sizes(this.envStrings(), n as number, size as number),
      environ_get: (env, buf) => this.strings(this.envStrings(), env as number, buf as number),
      clock_res_get: (_id, ptr) => this.guard(() => this.view().setBigUint64(ptr as number, 1_000_000n, true)),
      clock_time_get: (_id, _precision, ptr) => this.guard(() => this.view().setBigUint64(ptr as number, this.epochNs + this.clockCalls++ * 1_000_000n, true)),
      random_get: (ptr, len) => this.guard(() => this.fillRandom(this.bytes(ptr as number, len as number))),
      proc_exit: (code) => {
        throw new ProcExit(Number(code));
      },
      sched_yield: () => OK,
      fd_write: (fd, iovs, n, written) => this.fdWrite(fd as number, iovs as number, n as number, written as number),
      fd_read: (fd, iovs, n, read) => this.fdRead(fd as number, iovs as number, n as number, read as number),
      fd_close: (fd) => this.fdClose(fd as number),
      fd_seek: (fd, offset, whence, ptr) => this.fdSeek(fd as number, offset as bigint, whence as number, ptr as number),
      fd_fdstat_get: (fd, ptr) => this.fdstat(fd as number, ptr as number),
      fd_fdstat_set_flags: () => OK,
      fd_prestat_get: (fd, ptr) => this.prestat(fd as number, ptr as number),
      fd_prestat_dir_name: (fd, ptr, len) => this.prestatName(fd as number, ptr as number, len as number),
      path_open: (dirfd, _df, path, pathLen, oflags, _rb, _ri, _ff, fdPtr) =>
        this.pathOpen(dirfd as number, path as number, pathLen as number, oflags as number, fdPtr as number),
    };
  }

  /** Turns a bad pointer from the module into EFAULT instead of a crash of the host. */
  private guard(body: () => void): number {
    try {
      body();
      return OK;
    } catch (err) {
      if (err instanceof ProcExit || err instanceof OutputLimit) throw err;
      return EFAULT;
    }
  }

  private envStrings(): string[] {
    return Object.entries(this.init.env).map(([k, v]) => `${k}=${v}`);
  }

  private sizes(list: string[], countPtr: number, sizePtr: number): number {
    return this.guard(() => {
      const v = this.view();
      v.setUint32(countPtr, list.length, true);
      v.setUint32(sizePtr, list.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0), true);
    });
  }

  private strings(list: string[], ptrs: number, buf: number): number {
    return this.guard(() => {
      let at = buf;
      list.forEach((s, n) => {
        const b = Buffer.from(s + '\0');
        this.view().setUint32(ptrs + 4 * n, at, true);
        this.bytes(at, b.length).set(b);
        at += b.length;
      });
    });
  }

  private fillRandom(target: Uint8Array): void {
    for (let off = 0; off < target.length; off += 32) {
      const block = createHash('sha256').update(this.init.seed).update(`random:${this.randomCounter++}`).digest();
      target.set(block.subarray(0, Math.min(32, target.length - off)), off);
    }
  }

  private iovecs(iovs: number, n: number): Uint8Array[] {
    if (n > 1024) throw new RangeError('too many iovecs');
    const v = this.view();
    const list: Uint8Array[] = [];
    for (let k = 0; k < n; k++) list.push(this.bytes(v.getUint32(iovs + 8 * k, true), v.getUint32(iovs + 8 * k + 4, true)));
    return list;
  }

  private fdWrite(fd: number, iovs: number, n: number, writtenPtr: number): number {
    const h = this.fds.get(fd);
    if (!h || h.kind === 'dir' || h.kind === 'read') return EBADF;
    let written = 0;
    const status = this.guard(() => {
      for (const chunk of this.iovecs(iovs, n)) {
        if (h.kind === 'write') this.out.append(h.name, chunk);
        else if (h.kind === 'checkpoint') this.checkpoints.append(fd, chunk);
        else this.appendStderr(chunk);
        written += chunk.length;
      }
      this.view().setUint32(writtenPtr, written, true);
    });
    return status;
  }

  private fdClose(fd: number): number {
    if (fd <= PREOPEN_FD || !this.fds.delete(fd)) return EBADF;
    this.checkpoints.close(fd);
    return OK;
  }

  /** stderr is kept for the operator, never validated; beyond its bound it is dropped, not an error. */
  private appendStderr(chunk: Uint8Array): void {
    const room = this.init.stderrBytes - this.stderrBytes;
    if (room <= 0) return;
    const kept = Buffer.from(chunk.subarray(0, room));
    this.stderr.push(kept);
    this.stderrBytes += kept.length;
  }

  private fdRead(fd: number, iovs: number, n: number, readPtr: number): number {
    const h = this.fds.get(fd);
    if (!h || h.kind !== 'read') return EBADF;
    return this.guard(() => {
      let total = 0;
      for (const target of this.iovecs(iovs, n)) {
        const take = Math.min(target.length, h.data.length - h.pos);
        target.set(h.data.subarray(h.pos, h.pos + take));
        h.pos += take;
        total += take;
        if (take < target.length) break;
      }
      this.view().setUint32(readPtr, total, true);
    });
  }

  private fdSeek(fd: number, offset: bigint, whence: number, ptr: number): number {
    const h = this.fds.get(fd);
    if (!h) return EBADF;
    if (h.kind !== 'read') return ESPIPE;
    const base = whence === 0 ? 0 : whence === 1 ? h.pos : whence === 2 ? h.data.length : NaN;
    const pos = base + Number(offset);
    if (!(pos >= 0 && pos <= h.data.length)) return EINVAL;
    h.pos = pos;
    return this.guard(() => this.view().setBigUint64(ptr, BigInt(pos), true));
  }

  private fdstat(fd: number, ptr: number): number {
    const h = this.fds.get(fd);
    if (!h) return EBADF;
    const type = h.kind === 'dir' ? FILETYPE_DIR : fd <= 2 ? FILETYPE_CHAR : FILETYPE_FILE;
    return this.guard(() => {
      const v = this.view();
      v.setUint8(ptr, type);
      v.setUint16(ptr + 2, 0, true);
      v.setBigUint64(ptr + 8, 0xffffffffn, true);
      v.setBigUint64(ptr + 16, 0xffffffffn, true);
    });
  }

  private prestat(fd: number, ptr: number): number {
    if (fd !== PREOPEN_FD) return EBADF;
    return this.guard(() => {
      this.view().setUint8(ptr, 0);
      this.view().setUint32(ptr + 4, PREOPEN_NAME.length, true);
    });
  }

  private prestatName(fd: number, ptr: number, len: number): number {
    if (fd !== PREOPEN_FD) return EBADF;
    return this.guard(() => this.bytes(ptr, Math.min(len, PREOPEN_NAME.length)).set(Buffer.from(PREOPEN_NAME).subarray(0, len)));
  }

  /** Only names inside the preopened folder: an input or a checkpoint to read, an output or a checkpoint to create. No `..`, no `/`. */
  private pathOpen(dirfd: number, pathPtr: number, pathLen: number, oflags: number, fdPtr: number): number {
    if (dirfd !== PREOPEN_FD) return EBADF;
    if (pathLen > 4096) return EINVAL;
    let path: string;
    try {
      path = Buffer.from(this.bytes(pathPtr, pathLen)).toString('utf8').replace(/^(\.\/)+/, '');
    } catch {
      return EFAULT;
    }
    if (path.startsWith('/') || path.split('/').includes('..')) return ENOTCAPABLE;
    if (oflags & OFLAG_DIRECTORY || path === '' || path === '.') return EISDIR;
    const fd = this.nextFd;
    let handle: Handle;
    const saved = isCheckpointName(path) ? this.checkpoints.get(path) : undefined;
    const input = this.init.inputs.get(path) ?? saved;
    if (isCheckpointName(path) && oflags & OFLAG_CREAT && !this.init.inputs.has(path)) {
      this.checkpoints.begin(fd, path);
      handle = { kind: 'checkpoint' };
    } else if (input && !(oflags & (OFLAG_CREAT | OFLAG_TRUNC))) handle = { kind: 'read', data: input, pos: 0 };
    else if (oflags & OFLAG_CREAT && !input && isOutputName(path)) {
      this.out.create(path, (oflags & OFLAG_TRUNC) !== 0);
      handle = { kind: 'write', name: path };
    } else if (input) return ENOTCAPABLE;
    else return oflags & OFLAG_CREAT ? ENOTCAPABLE : ENOENT;
    this.nextFd++;
    this.fds.set(fd, handle);
    return this.guard(() => this.view().setUint32(fdPtr, fd, true));
  }
}
