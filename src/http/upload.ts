/**
 * PUT uploads (only with `--upload`): the body goes to a temporary file in the target's folder, with a size cap,
 * and is renamed over the target only once complete, so a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type * as http from 'node:http';
import { dirname, join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorReply, type Reply, type RequestInfo, type UploadPlan } from './handler.js';

class TooLarge extends Error {}

/** The client went away before its body was complete. */
class ClientGone extends Error {}

/**
 * Receives the body of `req` according to `plan` and returns the reply to send. A folder the server may not write
 * to gives 403; any other failure to write is thrown (the adapter answers 500), never mistaken for a client abort.
 */
export async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, plan: UploadPlan): Promise<Reply> {
  const info: RequestInfo = { method: 'PUT', target: req.url ?? '/', headers: req.headers };
  const temp = join(dirname(plan.finalPath), `.tandem-upload-${randomBytes(8).toString('hex')}`);
  // Made before the body is read, and before 100 Continue: a folder we may not write to is refused at once, and a
  // client waiting for 100 Continue is spared sending its body (RFC 9110 §10.1.1).
  let file: FileHandle;
  try {
    file = await open(temp, 'wx', 0o644);
  } catch (err) {
    return withUser(writeRefused(err, req, info), plan);
  }
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > plan.maxBytes) done(new TooLarge());
      else done(null, chunk);
    },
  });
  if (/100-continue/i.test(String(req.headers['expect'] ?? ''))) res.writeContinue();
  try {
    await receiveBody(req, cap, file.createWriteStream());
    await rename(temp, plan.finalPath);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if (err instanceof TooLarge) {
      const r = errorReply(413, info);
      r.headers['connection'] = 'close'; // the rest of the body is not read
      return withUser(r, plan);
    }
    // Nobody is left to read this answer; it is for the access log.
    if (err instanceof ClientGone) return withUser({ status: 400, headers: {}, body: { kind: 'none' } }, plan);
    return withUser(writeRefused(err, req, info), plan);
  }
  const body = Buffer.from(plan.existed ? '' : 'created\n');
  const r: Reply = { status: plan.existed ? 204 : 201, headers: plan.existed ? {} : { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }, body: plan.existed ? { kind: 'none' } : { kind: 'bytes', data: body } };
  return withUser(r, plan);
}

/**
 * Pipes the body through `cap` into `sink`. Not with pipeline(req, ...): a failed write would destroy the request,
 * and with it the socket, so the client could not be told why. Here only a body that really ends early fails the
 * request side, with `ClientGone`.
 */
async function receiveBody(req: http.IncomingMessage, cap: Transform, sink: Writable): Promise<void> {
  const gone = (): void => void (req.complete || cap.destroy(new ClientGone()));
  req.once('close', gone);
  if (req.destroyed) gone(); // it went while the temporary file was being made
  req.pipe(cap);
  try {
    await pipeline(cap, sink);
  } finally {
    req.off('close', gone);
    req.unpipe(cap);
  }
}

/** 403 when the server may not write there (the folder's mode, a read-only mount); anything else is thrown. */
function writeRefused(err: unknown, req: http.IncomingMessage, info: RequestInfo): Reply {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') throw err;
  const r = errorReply(403, info);
  if (!req.complete) r.headers['connection'] = 'close'; // the rest of the body is not read
  return r;
}

function withUser(r: Reply, plan: UploadPlan): Reply {
  if (plan.user !== undefined) r.user = plan.user;
  return r;
}
