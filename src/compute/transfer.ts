/**
 * The volunteer's HTTP side: the scheduler call, verified downloads and resumable uploads. Everything the project
 * server says is bounded (sizes, time) and checked (JSON shape, SHA-256) before it is used.
 */
import { createHash } from 'node:crypto';
import { COMPUTE_DEFAULTS } from './defaults.js';
import { ComputeError } from './errors.js';
import { parseSchedulerReply, type SchedulerReply, type SchedulerRequest } from './protocol.js';

const MAX_REPLY_BYTES = 4 * 1024 * 1024;

function timeout(signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(COMPUTE_DEFAULTS.transferTimeoutMs);
  return signal ? AbortSignal.any([t, signal]) : t;
}

async function call(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: timeout(signal) });
  } catch (err) {
    throw new ComputeError('COMPUTE_SERVER', `${url}: ${(err as Error).message}`, 'runtime', { cause: err });
  }
}

/** Reads a body up to `maxBytes`, failing as soon as it grows past that. */
async function readCapped(res: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new ComputeError('COMPUTE_TOO_LARGE', `${what}: ${declared} bytes, more than ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new ComputeError('COMPUTE_TOO_LARGE', `${what}: more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

async function errorOf(res: Response, what: string): Promise<ComputeError> {
  const text = (await readCapped(res, 64 * 1024, what).catch(() => Buffer.alloc(0))).toString();
  let detail = text.slice(0, 200);
  try {
    detail = (JSON.parse(text) as { error: { code: string; message: string } }).error.message;
  } catch {
    // not our JSON: keep the start of the text
  }
  const code = res.status === 401 ? 'COMPUTE_AUTH' : 'COMPUTE_SERVER';
  return new ComputeError(code, `${what}: HTTP ${res.status}: ${detail}`);
}

export async function schedulerCall(base: string, req: SchedulerRequest, signal?: AbortSignal): Promise<SchedulerReply> {
  const url = new URL('scheduler', base).href;
  const res = await call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req) }, signal);
  if (res.status !== 200) throw await errorOf(res, 'scheduler');
  const body = await readCapped(res, MAX_REPLY_BYTES, 'scheduler reply');
  try {
    return parseSchedulerReply(JSON.parse(body.toString('utf8')));
  } catch (err) {
    throw new ComputeError('COMPUTE_BAD_REQUEST', `scheduler reply: ${(err as Error).message}`, 'runtime', { cause: err });
  }
}

/** The project's public key, and where its files are served (resolved against the project's URL). */
export async function fetchProject(base: string, signal?: AbortSignal): Promise<{ publicKey: string; filesUrl: string }> {
  const res = await call(new URL('project.json', base).href, {}, signal);
  if (res.status !== 200) throw await errorOf(res, 'project.json');
  let body: { publicKey?: unknown; filesUrl?: unknown };
  try {
    body = JSON.parse((await readCapped(res, 64 * 1024, 'project.json')).toString()) as typeof body;
  } catch (err) {
    throw new ComputeError('COMPUTE_BAD_REQUEST', `project.json: ${(err as Error).message}`, 'runtime', { cause: err });
  }
  if (typeof body.publicKey !== 'string') throw new ComputeError('COMPUTE_BAD_REQUEST', 'project.json has no public key');
  const files = new URL(typeof body.filesUrl === 'string' ? body.filesUrl : 'file/', base);
  if (files.protocol !== 'http:' && files.protocol !== 'https:') throw new ComputeError('COMPUTE_BAD_REQUEST', 'project.json: filesUrl is not http(s)');
  return { publicKey: body.publicKey, filesUrl: files.href.endsWith('/') ? files.href : `${files.href}/` };
}

/** Downloads a content-addressed file (`filesUrl` + its hash) and checks its size and SHA-256. */
export async function fetchVerified(filesUrl: string, sha256: string, bytes: number, signal?: AbortSignal): Promise<Buffer> {
  const res = await call(new URL(sha256, filesUrl).href, {}, signal);
  if (res.status !== 200) throw await errorOf(res, `file ${sha256}`);
  const data = await readCapped(res, bytes, `file ${sha256}`);
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== sha256 || data.length !== bytes) throw new ComputeError('COMPUTE_HASH_MISMATCH', `file ${sha256}: received bytes hash to ${got}`);
  return data;
}

/**
 * Uploads `data` for `instance`. A first attempt sends it all; a `resume` asks the server what it holds first
 * and sends only the rest (one request fewer per instance in the common case).
 */
export async function uploadOutput(base: string, instance: string, permit: string, data: Buffer, signal?: AbortSignal, resume = false): Promise<void> {
  const url = new URL(`upload/${encodeURIComponent(instance)}`, base);
  url.searchParams.set('permit', permit);
  let offset = 0;
  if (resume) {
    const head = await call(url.href, { method: 'HEAD' }, signal);
    if (head.status !== 200) throw await errorOf(head, `upload ${instance}`);
    offset = Number(head.headers.get('upload-offset') ?? '0');
    // Bytes held beyond ours (a previous run wrote something else) are replaced from the start.
    if (!(offset >= 0 && offset <= data.length)) offset = 0;
    if (offset === data.length && offset > 0) return;
  }
  url.searchParams.set('offset', String(offset));
  const res = await call(url.href, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: data.subarray(offset) }, signal);
  if (res.status !== 200) throw await errorOf(res, `upload ${instance}`);
  await readCapped(res, 4096, 'upload reply');
}
