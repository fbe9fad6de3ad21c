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
import type { ByteRange } from './range.js';
import type { SmallFileCache } from './file-cache.js';
import { Throttle, THROTTLE_SLICE_BYTES, type SendBudget } from './throttle.js';

export interface BodyWriterDeps {
  cache: SmallFileCache;
  sendBudget?: SendBudget;
  onError?: (err: unknown) => void;
}

/** `complete`: every byte was handed to `out`; `cut`: `out` closed or a read failed first. */
export type BodyOutcome = 'complete' | 'cut';

export class BodyWriter {
  constructor(private readonly deps: BodyWriterDeps) {}

  /**
   * Writes `head` (if any) and `body`, then ends `out` when `end` is true. `count` hears every body byte handed
   * over. Resolves when the last byte is handed to `out` (not necessarily flushed), or when `out` closes first.
   */
  async write(out: Writable, head: string | undefined, body: ReplyBody, end: boolean, count: (n: number) => void): Promise<BodyOutcome> {
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
        let data: Buffer;
        try {
          data = (await this.deps.cache.read(body.path, body.identity)).subarray(body.range.start, body.range.end + 1);
        } catch (err) {
          this.deps.onError?.(err);
          out.destroy();
          return 'cut';
        }
        if (out.destroyed) return 'cut';
        count(data.length);
        return this.small(out, head, data, end);
      }
      if (head !== undefined) out.write(head, 'latin1');
      const outcome = await this.pipeRange(out, body.path, body.range, count);
      if (outcome === 'complete' && end) out.end();
      return outcome;
    }
    if (head !== undefined) out.write(head, 'latin1');
    for (const part of body.plan.parts) {
      if (out.destroyed) return 'cut';
      out.write(part.head);
      count(part.head.length);
      if ((await this.pipeRange(out, body.path, part.range, count)) === 'cut') return 'cut';
    }
    if (out.destroyed) return 'cut';
    count(body.plan.tail.length);
    if (end) out.end(body.plan.tail);
    else out.write(body.plan.tail);
    return 'complete';
  }

  /**
   * Head and body leave together: on a socket as one buffer in one write (measured cheaper than a writev of the
   * two: the head is a string, which writev converts separately), on a node:http response as one `end`.
   */
  private small(out: Writable, head: string | undefined, data: Buffer | undefined, end: boolean): BodyOutcome {
    let chunk = data;
    if (head !== undefined) {
      chunk = Buffer.allocUnsafe(head.length + (data?.length ?? 0));
      chunk.write(head, 0, 'latin1');
      data?.copy(chunk, head.length);
    }
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
