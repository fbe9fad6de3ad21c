/**
 * Writes a `ReplyBody` into a Writable: a node:http response (`server.ts`) or a raw socket (`h1-connection.ts`).
 * One implementation for both adapters: small files from the memory cache in one write, larger ones streamed from
 * disk with backpressure, multipart parts one after another, and every body through the send budget when there is
 * one (`--upload-limit`).
 *
 * The raw socket passes its response head as `head`, so a small reply leaves in one write, head and body in one
 * buffer; node:http has already taken its head through `writeHead` and passes none.
 */
import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { HTTP_DEFAULTS } from './defaults.js';
import type { ReplyBody } from './handler.js';
import type { ByteRange, MultipartPlan } from './range.js';
import type { FileIdentity, SmallFileCache } from './file-cache.js';
import { Throttle, THROTTLE_SLICE_BYTES, type SendBudget } from './throttle.js';

export interface BodyWriterDeps {
  cache: SmallFileCache;
  sendBudget?: SendBudget;
  onError?: (err: unknown) => void;
}

/** `complete`: every byte was handed to `out`; `cut`: `out` closed or a read failed first. */
export type BodyOutcome = 'complete' | 'cut';

export class BodyWriter {
  /** A cached small file's bytes with the last head sent before them, in one buffer (see `smallFile`). */
  private readonly joined = new WeakMap<Buffer, { head: string; chunk: Buffer }>();

  constructor(private readonly deps: BodyWriterDeps) {}

  /**
   * Writes `head` (if any) and `body`, then ends `out` when `end` is true. `count` hears every body byte handed
   * over. Settles when the last byte is handed to `out` (not necessarily flushed), or when `out` closes first:
   * at once, without a promise, for a body already in memory.
   */
  write(out: Writable, head: string | undefined, body: ReplyBody, end: boolean, count: (n: number) => void): BodyOutcome | Promise<BodyOutcome> {
    if (out.destroyed) return 'cut';
    const budget = this.deps.sendBudget;
    if (body.kind === 'none') return this.small(out, head, undefined, end);
    if (body.kind === 'bytes') {
      count(body.data.length);
      if (!budget) return this.small(out, head, body.data, end);
      if (head !== undefined) out.write(head, 'latin1');
      return this.throttled(out, body.data, end);
    }
    if (body.kind === 'file') {
      // Under an upload limit every body goes through the throttle, small cached files included.
      if (body.identity.size <= this.deps.cache.maxFileBytes && !budget) {
        const cached = this.deps.cache.peek(body.path, body.identity);
        if (cached) return this.smallFile(out, head, cached, body.range, end, count);
        return this.readSmallFile(out, head, body.path, body.identity, body.range, end, count);
      }
      return this.streamFile(out, head, body.path, body.range, end, count);
    }
    return this.multipart(out, head, body.path, body.plan, end, count);
  }

  private async readSmallFile(out: Writable, head: string | undefined, path: string, identity: FileIdentity, range: ByteRange, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
    let data: Buffer;
    try {
      data = await this.deps.cache.read(path, identity);
    } catch (err) {
      this.deps.onError?.(err);
      out.destroy();
      return 'cut';
    }
    if (out.destroyed) return 'cut';
    return this.smallFile(out, head, data, range, end, count);
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

  private async streamFile(out: Writable, head: string | undefined, path: string, range: ByteRange, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
    if (head !== undefined) out.write(head, 'latin1');
    const outcome = await this.pipeRange(out, path, range, count);
    if (outcome === 'complete' && end) out.end();
    return outcome;
  }

  private async multipart(out: Writable, head: string | undefined, path: string, plan: MultipartPlan, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
    if (head !== undefined) out.write(head, 'latin1');
    for (const part of plan.parts) {
      if (out.destroyed) return 'cut';
      out.write(part.head);
      count(part.head.length);
      if ((await this.pipeRange(out, path, part.range, count)) === 'cut') return 'cut';
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

  /** Streams [start, end] of a file into `out` (without ending it), honouring backpressure through pipe(). */
  private pipeRange(out: Writable, path: string, range: ByteRange, count: (n: number) => void): Promise<BodyOutcome> {
    const budget = this.deps.sendBudget;
    const stream = createReadStream(path, { start: range.start, end: range.end, highWaterMark: budget ? THROTTLE_SLICE_BYTES : HTTP_DEFAULTS.streamChunkBytes });
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
