/**
 * The file server's request handler: a plain request value in, a plain reply value out (STYLE.md 18). It never
 * touches a socket; `server.ts` adapts Node's http objects to it and streams the bodies it describes.
 */
import { lstat, opendir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sep } from 'node:path';
import { BASIC_CHALLENGE } from './auth.js';
import { evaluatePreconditions, httpDate, ifRangeAllows, makeEtag, type Validators } from './conditional.js';
import { HTTP_DEFAULTS } from './defaults.js';
import { listingHtml, listingJson, sortFromQuery, type ListingEntry } from './listing.js';
import type { FileIdentity } from './file-cache.js';
import { contentTypeFor } from './mime.js';
import { errorPage, escapeHtml, STATUS_TEXT } from './pages.js';
import { contentRange, decideRange, planMultipart, unsatisfiedRange, type ByteRange, type MultipartPlan } from './range.js';
import { isInside, lookupInside, resolveInside, urlPathSegments } from './safe-path.js';

export type Headers = Record<string, string | string[] | undefined>;

/** What the handler needs of a request. Header names are lower case, as Node gives them. */
export interface RequestInfo {
  method: string;
  target: string;
  headers: Headers;
  /** The client's address, and ours as it reached us, for routes that answer with them (the seed's tracker). */
  remoteAddress?: string;
  localAddress?: string;
}

export type ReplyBody =
  | { kind: 'none' }
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'file'; path: string; range: ByteRange; identity: FileIdentity }
  | { kind: 'multipart'; path: string; plan: MultipartPlan }
  /** None of a file's bytes (HEAD, 304, an empty file), but the file must be readable for the status to stand. */
  | { kind: 'head-of-file'; path: string; identity: FileIdentity };

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: ReplyBody;
  /** The authenticated user, for the access log. */
  user?: string;
}

/** A PUT the adapter should stream to `finalPath` (through a temporary file in the same folder). */
export interface UploadPlan {
  kind: 'upload';
  finalPath: string;
  existed: boolean;
  maxBytes: number;
  user?: string;
}

export interface HandlerConfig {
  /** The served folder, already passed through realpath. */
  realRoot: string;
  /** Returns true when the Authorization header is acceptable; absent means no authentication. */
  checkAuth?: (authorization: string | undefined) => boolean;
  uploadMaxBytes?: number;
  /** Answers a request before the file routes (the seed's tracker at /announce), or passes it on with undefined. */
  preRoute?: (req: RequestInfo) => Promise<Reply | undefined>;
  /** Companions of served files: extra reply headers, and the `?torrent` document (`serve --seed`). */
  files?: FileHooks;
}

/** A regular file about to be served: where it is, what it is now, and its canonical URL path. */
export interface ServedFile {
  realPath: string;
  identity: FileIdentity;
  /** Percent-encoded path from the root, e.g. `/iso/big%20file.iso`. */
  urlPath: string;
}

export interface FileHooks {
  /** Headers added to the file's 200, 206 and 304 replies (the Link to its torrent); may start background work. */
  headers(file: ServedFile): Record<string, string> | undefined;
  /** The reply to `GET /path?torrent`; undefined gives a 404. */
  describedBy(file: ServedFile, req: RequestInfo): Reply | undefined;
}

/** The query that asks for a file's torrent instead of the file (the target of its Link header). */
export const TORRENT_QUERY = 'torrent';

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Answers one request. Never throws for anything a client can send; unexpected failures become 500. */
export async function handleRequest(req: RequestInfo, cfg: HandlerConfig): Promise<Reply | UploadPlan> {
  return answerRequest(req, cfg);
}

/**
 * `handleRequest` without a promise when nothing has to be waited for (a file, a redirect, an error page), so the
 * fast path answers a small file in one synchronous step; a promise when something does (a listing, an upload
 * plan, the pre-route). May throw where `handleRequest` would reject.
 */
export function answerRequest(req: RequestInfo, cfg: HandlerConfig): Reply | UploadPlan | Promise<Reply | UploadPlan> {
  const user = authUser(req, cfg);
  if (user === false) {
    const refused = errorReply(401, req);
    refused.headers['www-authenticate'] = BASIC_CHALLENGE;
    return refused;
  }
  if (cfg.preRoute) return routeAfter(cfg.preRoute, req, cfg).then((reply) => withUser(reply, user));
  const reply = route(req, cfg);
  return reply instanceof Promise ? reply.then((r) => withUser(r, user)) : withUser(reply, user);
}

async function routeAfter(preRoute: NonNullable<HandlerConfig['preRoute']>, req: RequestInfo, cfg: HandlerConfig): Promise<Reply | UploadPlan> {
  return (await preRoute(req)) ?? (await route(req, cfg));
}

function withUser<T extends Reply | UploadPlan>(reply: T, user: string | undefined): T {
  if (user !== undefined) reply.user = user;
  return reply;
}

function route(req: RequestInfo, cfg: HandlerConfig): Reply | UploadPlan | Promise<Reply | UploadPlan> {
  const allow = cfg.uploadMaxBytes !== undefined ? 'GET, HEAD, PUT, OPTIONS' : 'GET, HEAD, OPTIONS';
  const method = req.method;
  if (method === 'OPTIONS') return { status: 204, headers: { allow }, body: { kind: 'none' } };
  const isRead = method === 'GET' || method === 'HEAD';
  if (!isRead && !(method === 'PUT' && cfg.uploadMaxBytes !== undefined)) {
    const r = errorReply(405, req);
    r.headers['allow'] = allow;
    return r;
  }
  const verdict = urlPathSegments(req.target);
  if (!verdict.ok) return errorReply(verdict.reason === 'bad-request' ? 400 : 403, req);
  if (method === 'PUT') return planUpload(req, cfg, verdict.segments, verdict.trailingSlash);
  // Synchronous: a few lstat calls take microseconds, far less than a round trip through libuv's thread pool.
  const found = lookupInside(cfg.realRoot, verdict.segments);
  if (found.kind !== 'found') return errorReply(found.kind === 'missing' ? 404 : 403, req);
  const st = found.stats;
  if (st.isDirectory()) {
    if (!verdict.trailingSlash) return redirectToSlash(req, verdict.segments);
    return listDirectory(req, cfg, found.realPath, '/' + verdict.segments.map((s) => s + '/').join(''));
  }
  if (!st.isFile()) return errorReply(403, req); // devices, FIFOs and sockets are never served
  if (verdict.trailingSlash) return errorReply(404, req);
  const identity = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
  if (!cfg.files) return serveFile(req, found.realPath, identity);
  const file: ServedFile = { realPath: found.realPath, identity, urlPath: '/' + verdict.segments.map(encodeURIComponent).join('/') };
  if (queryOf(req.target) === TORRENT_QUERY) return cfg.files.describedBy(file, req) ?? errorReply(404, req);
  const reply = serveFile(req, found.realPath, identity);
  if (reply.status === 200 || reply.status === 206 || reply.status === 304) Object.assign(reply.headers, cfg.files.headers(file));
  return reply;
}

function queryOf(target: string): string | undefined {
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  const hash = target.indexOf('#', q);
  return target.slice(q + 1, hash < 0 ? undefined : hash);
}

/** undefined: no auth configured; false: refused; a string: the user who passed. */
function authUser(req: RequestInfo, cfg: HandlerConfig): string | false | undefined {
  if (!cfg.checkAuth) return undefined;
  const header = one(req.headers['authorization']);
  if (!cfg.checkAuth(header)) return false;
  const decoded = Buffer.from(header!.trim().slice(6).trim(), 'base64').toString('utf8');
  return decoded.slice(0, decoded.indexOf(':'));
}

export function errorReply(status: number, req: RequestInfo): Reply {
  const wantsJson = /application\/json/.test(one(req.headers['accept']) ?? '');
  const data = wantsJson
    ? Buffer.from(JSON.stringify({ error: { status, message: STATUS_TEXT[status] ?? 'Error' } }) + '\n')
    : Buffer.from(errorPage(status, req.target.split('?')[0]!));
  return {
    status,
    headers: { 'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8', 'content-length': String(data.length), 'cache-control': 'no-store' },
    body: { kind: req.method === 'HEAD' ? 'none' : 'bytes', data } as ReplyBody,
  };
}

/**
 * 301 from a folder's path to the same path with a slash. The Location is rebuilt from the checked segments, one
 * slash before each and every segment percent-encoded, never copied from the target: a target such as `//evil.com`
 * would otherwise give `Location: //evil.com/`, which a browser reads as another host (RFC 3986 §4.2,
 * network-path reference). A folder redirect always has a segment, so the Location is `/name/...`, never `//`.
 */
function redirectToSlash(req: RequestInfo, segments: string[]): Reply {
  const q = req.target.indexOf('?');
  const location = '/' + segments.map((s) => encodeURIComponent(s) + '/').join('') + (q < 0 ? '' : req.target.slice(q));
  const data = Buffer.from(`<!doctype html><title>Moved</title><a href="${escapeHtml(location)}">Moved here</a>\n`);
  return { status: 301, headers: { location, 'content-type': 'text/html; charset=utf-8', 'content-length': String(data.length) }, body: req.method === 'HEAD' ? { kind: 'none' } : { kind: 'bytes', data } };
}

/** GET/HEAD of a regular file: validators, conditionals (RFC 9110 §13), then ranges (§14). */
export function serveFile(req: RequestInfo, path: string, identity: FileIdentity): Reply {
  const { size, mtimeMs } = identity;
  const v: Validators = { etag: makeEtag(size, mtimeMs), mtimeSeconds: Math.floor(mtimeMs / 1000) };
  const type = contentTypeFor(path);
  const lastModified = httpDate(v.mtimeSeconds);
  const h = req.headers;
  const pre =
    h['if-match'] === undefined && h['if-none-match'] === undefined && h['if-modified-since'] === undefined && h['if-unmodified-since'] === undefined
      ? 'proceed'
      : evaluatePreconditions({ ifMatch: one(h['if-match']), ifNoneMatch: one(h['if-none-match']), ifModifiedSince: one(h['if-modified-since']), ifUnmodifiedSince: one(h['if-unmodified-since']) }, v, true);
  if (pre === 'not-modified') return { status: 304, headers: { etag: v.etag, 'last-modified': lastModified, 'accept-ranges': 'bytes' }, body: { kind: 'head-of-file', path, identity } };
  if (pre === 'failed') return errorReply(412, req);
  const head = req.method === 'HEAD';
  // §14.2: Range is ignored for methods other than GET, and §13.1.5 If-Range can cancel it.
  const rangeHeader = req.method === 'GET' && ifRangeAllows(one(h['if-range']), v) ? one(h['range']) : undefined;
  const decision = decideRange(rangeHeader, size);
  if (decision.kind === 'unsatisfiable') {
    const r = errorReply(416, req);
    r.headers['content-range'] = unsatisfiedRange(size);
    return r;
  }
  if (decision.kind === 'full' || size === 0) {
    const range = { start: 0, end: size - 1 };
    const headers = { etag: v.etag, 'last-modified': lastModified, 'accept-ranges': 'bytes', 'content-type': type, 'content-length': String(size) };
    return { status: 200, headers, body: head || size === 0 ? { kind: 'head-of-file', path, identity } : { kind: 'file', path, range, identity } };
  }
  if (decision.ranges.length === 1) {
    const range = decision.ranges[0]!;
    const headers = { etag: v.etag, 'last-modified': lastModified, 'accept-ranges': 'bytes', 'content-type': type, 'content-length': String(range.end - range.start + 1), 'content-range': contentRange(range, size) };
    return { status: 206, headers, body: head ? { kind: 'head-of-file', path, identity } : { kind: 'file', path, range, identity } };
  }
  const plan = planMultipart(decision.ranges, size, type, randomBytes(12).toString('hex'));
  const headers = { etag: v.etag, 'last-modified': lastModified, 'accept-ranges': 'bytes', 'content-type': plan.contentType, 'content-length': String(plan.totalBytes) };
  return { status: 206, headers, body: head ? { kind: 'head-of-file', path, identity } : { kind: 'multipart', path, plan } };
}

/**
 * The status for a file or folder that failed to open: 403 when the server may not read it (the mode, an ACL, a
 * security module), 404 when it vanished since it was looked up; undefined for anything else (a 500).
 */
function statusForUnreadable(code: string | undefined): 403 | 404 | undefined {
  if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP') return 403; // ELOOP: swapped for a symlink, as safe-path.ts says
  if (code === 'ENOENT' || code === 'ENOTDIR') return 404;
  return undefined;
}

/**
 * The reply for a file that failed to open once its reply was decided (`BodyWriter.prepare`), on either adapter: the
 * 403 or 404 page, or a 500 whose cause is reported through `onError`.
 */
export function unreadableReply(code: string | undefined, cause: unknown, info: RequestInfo, onError?: (err: unknown) => void): Reply {
  const status = statusForUnreadable(code);
  if (status === undefined) onError?.(cause);
  return errorReply(status ?? 500, info);
}

async function listDirectory(req: RequestInfo, cfg: HandlerConfig, realDir: string, urlPath: string): Promise<Reply> {
  let listed: Awaited<ReturnType<typeof readEntries>>;
  try {
    listed = await readEntries(cfg.realRoot, realDir);
  } catch (err) {
    const status = statusForUnreadable((err as NodeJS.ErrnoException).code);
    if (status === undefined) throw err;
    return errorReply(status, req);
  }
  const { entries, truncated } = listed;
  const q = req.target.indexOf('?');
  const { key, order } = sortFromQuery(q < 0 ? '' : req.target.slice(q + 1));
  const input = { path: urlPath, entries, key, order, truncated };
  const wantsJson = /application\/json/.test(one(req.headers['accept']) ?? '');
  const data = Buffer.from(wantsJson ? listingJson(input) : listingHtml(input));
  const headers = { 'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8', 'content-length': String(data.length), vary: 'Accept', 'cache-control': 'no-cache' };
  return { status: 200, headers, body: req.method === 'HEAD' ? { kind: 'none' } : { kind: 'bytes', data } };
}

/** Lists a folder; symlinks are followed only when they stay inside the root, others are left out. */
async function readEntries(realRoot: string, realDir: string): Promise<{ entries: ListingEntry[]; truncated: boolean }> {
  const entries: ListingEntry[] = [];
  let truncated = false;
  const dir = await opendir(realDir, { bufferSize: 256 });
  for await (const d of dir) {
    if (entries.length >= HTTP_DEFAULTS.maxListingEntries) {
      truncated = true;
      break;
    }
    const full = realDir + sep + d.name;
    try {
      const st = d.isSymbolicLink() ? await statInside(realRoot, full) : await lstat(full);
      if (!st || !(st.isFile() || st.isDirectory())) continue;
      entries.push({ name: d.name, type: st.isDirectory() ? 'dir' : 'file', sizeBytes: st.isFile() ? st.size : 0, mtimeMs: st.mtimeMs });
    } catch {
      // An entry that vanished or cannot be read is simply not listed.
    }
  }
  return { entries, truncated };
}

async function statInside(realRoot: string, full: string): Promise<Stats | undefined> {
  const resolved = await resolveInside(realRoot, full.slice(realRoot.length + 1).split(sep));
  return resolved.kind === 'found' && isInside(realRoot, resolved.realPath) ? stat(resolved.realPath) : undefined;
}

/** PUT (only with --upload): the target's folder must exist inside the root; the file itself may be new. */
async function planUpload(req: RequestInfo, cfg: HandlerConfig, segments: string[], trailingSlash: boolean): Promise<Reply | UploadPlan> {
  if (segments.length === 0 || trailingSlash) return errorReply(405, req);
  const name = segments.at(-1)!;
  if (name.startsWith('.tandem-upload-')) return errorReply(403, req);
  const parent = await resolveInside(cfg.realRoot, segments.slice(0, -1));
  if (parent.kind === 'forbidden') return errorReply(403, req);
  if (parent.kind === 'missing') return errorReply(409, req);
  const finalPath = parent.realPath + sep + name;
  let existed = false;
  try {
    const st = await lstat(finalPath);
    // A PUT replaces a regular file; it never writes through a symlink or over a folder.
    if (!st.isFile()) return errorReply(403, req);
    existed = true;
  } catch {
    existed = false;
  }
  const maxBytes = cfg.uploadMaxBytes ?? 0;
  const declared = Number(one(req.headers['content-length']) ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return errorReply(413, req);
  return { kind: 'upload', finalPath, existed, maxBytes };
}
