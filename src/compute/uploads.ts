/**
 * Output uploads on the server: an append-only body written to the instance's file with one file handle, and the
 * SHA-256 the scheduler checks a report against. An upload received whole in one POST is hashed as it arrives and
 * its digest kept in memory, so the report that follows costs no second read of the file; a resumed upload, or one
 * reported after a restart, is hashed from the file.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ComputeError } from './errors.js';

/** What the server found in an uploaded file (null: no such file, or unreadable). */
export type Uploaded = { sha256: string; bytes: number } | null;

/** Digests of uploads received whole, by instance name; bounded, since a report may never come. */
export class UploadDigests {
  private readonly known = new Map<string, { sha256: string; bytes: number }>();

  constructor(private readonly max = 100_000) {}

  set(instance: string, d: { sha256: string; bytes: number }): void {
    this.known.delete(instance);
    this.known.set(instance, d);
    // Oldest first out: Map keeps insertion order.
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value!);
  }

  forget(instance: string): void {
    this.known.delete(instance);
  }

  /** The digest and size of `path`, from memory when the upload was received whole, else read from the file. */
  async of(instance: string, path: string): Promise<Uploaded> {
    return this.known.get(instance) ?? hashFile(path);
  }
}

const CHUNK_BYTES = 256 * 1024;

export async function hashFile(path: string): Promise<Uploaded> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return null;
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, bytes);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * Writes the request body at `offset` of `path` (0 starts the file again), at most `declared` bytes. Returns the
 * bytes written and, when the body started the file, its digest. A body cut short leaves what arrived (the next
 * POST resumes after it) and rejects.
 */
export async function receiveUpload(req: IncomingMessage, path: string, offset: number, declared: number): Promise<{ got: number; digest?: { sha256: string; bytes: number } }> {
  const fh = await open(path, offset === 0 ? 'w' : 'a');
  const hash = offset === 0 ? createHash('sha256') : undefined;
  let got = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      got += chunk.length;
      if (got > declared) throw new ComputeError('COMPUTE_TOO_LARGE', 'body longer than its content-length', 'input');
      hash?.update(chunk);
      await fh.write(chunk);
    }
  } catch (err) {
    req.destroy();
    throw err instanceof ComputeError ? err : new ComputeError('COMPUTE_BAD_REQUEST', 'upload cut short', 'input', { cause: err });
  } finally {
    await fh.close();
  }
  if (!req.complete) throw new ComputeError('COMPUTE_BAD_REQUEST', 'upload cut short', 'input');
  return { got, digest: hash && got === declared ? { sha256: hash.digest('hex'), bytes: got } : undefined };
}
