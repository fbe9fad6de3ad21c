/**
 * PUT uploads (only with `--upload`): the body goes to a temporary file in the target's folder, with a size cap,
 * and is renamed over the target only once complete, so a reader never sees half a file.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type * as http from 'node:http';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorReply, type Reply, type UploadPlan } from './handler.js';

class TooLarge extends Error {}

/** Receives the body of `req` according to `plan` and returns the reply to send. */
export async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, plan: UploadPlan): Promise<Reply> {
  const info = { method: 'PUT', target: req.url ?? '/', headers: req.headers };
  const temp = join(dirname(plan.finalPath), `.tandem-upload-${randomBytes(8).toString('hex')}`);
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > plan.maxBytes) done(new TooLarge());
      else done(null, chunk);
    },
  });
  // RFC 9110 §10.1.1: the client waits for 100 Continue before sending a body it announced with Expect.
  if (/100-continue/i.test(String(req.headers['expect'] ?? ''))) res.writeContinue();
  try {
    await pipeline(req, cap, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    await rename(temp, plan.finalPath);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if (err instanceof TooLarge) {
      const r = errorReply(413, info);
      r.headers['connection'] = 'close'; // the rest of the body is not read
      return withUser(r, plan);
    }
    if (req.destroyed || req.readableAborted) return withUser({ status: 400, headers: {}, body: { kind: 'none' } }, plan);
    throw err;
  }
  const body = Buffer.from(plan.existed ? '' : 'created\n');
  const r: Reply = { status: plan.existed ? 204 : 201, headers: plan.existed ? {} : { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length) }, body: plan.existed ? { kind: 'none' } : { kind: 'bytes', data: body } };
  return withUser(r, plan);
}

function withUser(r: Reply, plan: UploadPlan): Reply {
  if (plan.user !== undefined) r.user = plan.user;
  return r;
}
