/**
 * Writes a `ReplyBody` into a Writable: a node:http response (`server.ts`) or a raw socket (`h1-connection.ts`).
 * One implementation for both adapters: small files from the memory cache in one write, larger ones streamed from
 * disk with backpressure, multipart parts one after another, and every body through the send budget when there is
 * one (`--upload-limit`).
 *
 * A file is opened (a small one read) by `prepare` before its head is written, so a file the server may not read is
 * answered with an error status, never with a 200 head and then a cut connection.
 *
 * The raw socket passes its response head as `head`, so a small reply leaves in one write, head and body in one
 * buffer; node:http has already taken its head through `writeHead` and passes none.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { HTTP_DEFAULTS } from './defaults.js';
import type { ReplyBody } from './handler.js';
import type { ByteRange, MultipartPlan } from './range.js';
import type { SmallFileCache } from './file-cache.js';
import { SERVED_FILE_FLAGS } from './safe-path.js';
import { Throttle, THROTTLE_SLICE_BYTES, type SendBudget } from './throttle.js';

export interface BodyWriterDeps {
  cache: SmallFileCache;
  sendBudget?: SendBudget;
  onError?: (err: unknown) => void;
}

/** `complete`: every byte was handed to `out`; `cut`: `out` closed or a read failed first. */
export type BodyOutcome = 'complete' | 'cut';

/** What `prepare` made ready: a small file's bytes, an open file to stream from, or nothing (no file behind the body). */
export type BodySource = Buffer | FileHandle | undefined;

/** The file behind a body could not be opened or read; `code` is the errno code (`EACCES`, `ENOENT`, ...). */
export class Unreadable {
  constructor(
    readonly code: string | undefined,
    readonly cause: unknown,
  ) {}
}

const unreadable = (err: unknown): Unreadable => new Unreadable((err as NodeJS.ErrnoException).code, err);

export class BodyWriter {
  /** A cached small file's bytes with the last head sent before them, in one buffer (see `smallFile`). */
  private readonly joined = new WeakMap<Buffer, { head: string; chunk: Buffer }>();

  constructor(private readonly deps: BodyWriterDeps) {}

  /**
   * Opens the file behind `body` before anything is sent: a small file comes from the cache (at once, without a
   * promise or a system call, when memory holds it as it is now) or is read now; a larger one, a multipart body, and
   * any file under a send budget are opened for streaming. A HEAD or 304 (`head-of-file`) is checked the same way, so
   * it gets the status a GET would (RFC 9110 §9.3.2). The source goes to `write`, or back through `release`.
   */
  prepare(body: ReplyBody): BodySource | Unreadable | Promise<BodySource | Unreadable> {
    if (body.kind === 'none' || body.kind === 'bytes') return undefined;
    if (body.kind !== 'multipart' && body.identity.size <= this.deps.cache.maxFileBytes && !this.deps.sendBudget) {
      const cached = this.deps.cache.peek(body.path, body.identity);
      if (cached) return cached;
      return this.deps.cache.read(body.path, body.identity).catch(unreadable);
    }
    const opened = open(body.path, SERVED_FILE_FLAGS);
    if (body.kind === 'head-of-file') return opened.then((h) => h.close()).then(() => undefined, unreadable);
    return opened.catch(unreadable);
  }

  /** Closes what `prepare` opened when its body will not be written after all. */
  release(source: BodySource | Unreadable): void {
    if (source !== undefined && !(source instanceof Unreadable) && !Buffer.isBuffer(source)) void source.close().catch(noop);
  }

  /**
   * Writes `head` (if any) and `body`, from the `source` that `prepare` gave for it, then ends `out` when `end` is
   * true; an open file is closed once written. `count` hears every body byte handed over. Settles when the last
   * byte is handed to `out` (not necessarily flushed), or when `out` closes first: at once, without a promise, for
   * a body already in memory.
   */
  write(out: Writable, head: string | undefined, body: ReplyBody, source: BodySource, end: boolean, count: (n: number) => void): BodyOutcome | Promise<BodyOutcome> {
    if (out.destroyed) {
      this.release(source);
      return 'cut';
    }
    const budget = this.deps.sendBudget;
    if (body.kind === 'none' || body.kind === 'head-of-file') return this.small(out, head, undefined, end);
    if (body.kind === 'bytes') {
      count(body.data.length);
      if (!budget) return this.small(out, head, body.data, end);
      if (head !== undefined) out.write(head, 'latin1');
      return this.throttled(out, body.data, end);
    }
    if (body.kind === 'file' && Buffer.isBuffer(source)) return this.smallFile(out, head, source, body.range, end, count);
    // A file is never opened here by its path: only through the handle `prepare` opened with SERVED_FILE_FLAGS.
    if (source === undefined || Buffer.isBuffer(source)) throw new Error(`BodyWriter.write: a ${body.kind} body needs the file handle prepare() opened`);
    if (body.kind === 'multipart') return this.closing(source, this.multipart(out, head, source, body.plan, end, count));
    return this.closing(source, this.streamFile(out, head, source, body.range, end, count));
  }

  /** Closes `handle` once `writing` settles (without waiting for the close: the reply is done). */
  private async closing(handle: FileHandle, writing: Promise<BodyOutcome>): Promise<BodyOutcome> {
    try {
      return await writing;
    } finally {
      void handle.close().catch(noop);
    }
  }

  /**
   * A whole small file after a head goes out as one buffer kept with the file's bytes while the head stays the
   * same (it changes with the Date second), so the bytes are neither copied nor allocated per request.
   */
  private smallFile(out: Writable, head: string | undefined, data: Buffer, range: ByteRange, end: boolean, count: (n: number) => void): BodyOutcome {
    const whole = range.start === 0 && range.end === data.length - 1;
    const part = whole ? data : data.subarray(range.start, range.end + 1);
    count(part.length);
    if (head === undefined || !whole) return this.small(out, head, part, end);
    let joined = this.joined.get(data);
    if (joined?.head !== head) {
      joined = { head, chunk: join(head, data) };
      this.joined.set(data, joined);
    }
    if (end) out.end(joined.chunk);
    else out.write(joined.chunk);
    return 'complete';
  }

  private async streamFile(out: Writable, head: string | undefined, handle: FileHandle, range: ByteRange, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
    if (head !== undefined) out.write(head, 'latin1');
    const outcome = await this.pipeRange(out, handle, range, count);
    if (outcome === 'complete' && end) out.end();
    return outcome;
  }

  private async multipart(out: Writable, head: string | undefined, handle: FileHandle, plan: MultipartPlan, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
    if (head !== undefined) out.write(head, 'latin1');
    for (const part of plan.parts) {
      if (out.destroyed) return 'cut';
      out.write(part.head);
      count(part.head.length);
      if ((await this.pipeRange(out, handle, part.range, count)) === 'cut') return 'cut';
    }
    if (out.destroyed) return 'cut';
    count(plan.tail.length);
    if (end) out.end(plan.tail);
    else out.write(plan.tail);
    return 'complete';
  }

  /**
   * Head and body leave together: on a socket as one buffer in one write (measured cheaper than a writev of the
   * two: the head is a string, which writev converts separately), on a node:http response as one `end`.
   */
  private small(out: Writable, head: string | undefined, data: Buffer | undefined, end: boolean): BodyOutcome {
    const chunk = head === undefined ? data : join(head, data);
    if (end) out.end(chunk);
    else if (chunk) out.write(chunk);
    return 'complete';
  }

  private throttled(out: Writable, data: Buffer, end: boolean): Promise<BodyOutcome> {
    const throttle = new Throttle(this.deps.sendBudget!);
    const done = this.follow(out, throttle, throttle, end);
    throttle.end(data);
    return done;
  }

  /**
   * Streams [start, end] of a file into `out` (without ending it), honouring backpressure through pipe(), from the
   * handle `prepare` opened, left open for the next part (positional reads).
   */
  private pipeRange(out: Writable, handle: FileHandle, range: ByteRange, count: (n: number) => void): Promise<BodyOutcome> {
    const budget = this.deps.sendBudget;
    const highWaterMark = budget ? THROTTLE_SLICE_BYTES : HTTP_DEFAULTS.streamChunkBytes;
    const stream = handle.createReadStream({ autoClose: false, start: range.start, end: range.end, highWaterMark });
    const source = budget ? stream.pipe(new Throttle(budget)) : stream;
    source.on('data', (chunk: Buffer) => count(chunk.length));
    return this.follow(out, stream, source, false);
  }

  /**
   * Pipes `source` into `out` and settles once: 'complete' at the source's end, 'cut' when `out` closes or the
   * file read fails first. The listener on `out` is removed afterwards, since a keep-alive socket outlives many
   * bodies.
   */
  private follow(out: Writable, file: NodeJS.ReadableStream & { destroy(): void }, source: NodeJS.ReadableStream & { destroy(): void }, end: boolean): Promise<BodyOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: BodyOutcome): void => {
        if (settled) return;
        settled = true;
        out.off('close', onClose);
        resolve(outcome);
      };
      const onClose = (): void => {
        file.destroy();
        if (source !== file) source.destroy();
        settle('cut');
      };
      out.once('close', onClose);
      source.on('end', () => settle('complete'));
      file.on('error', (err) => {
        this.deps.onError?.(err);
        out.destroy();
        settle('cut');
      });
      source.pipe(out, { end });
    });
  }
}

/** A latin1 head and an optional body in one new buffer. */
function join(head: string, data: Buffer | undefined): Buffer {
  const chunk = Buffer.allocUnsafe(head.length + (data?.length ?? 0));
  chunk.write(head, 0, 'latin1');
  data?.copy(chunk, head.length);
  return chunk;
}

function noop(): void {}
