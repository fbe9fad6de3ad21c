/**
 * The download client behind `tandem get ftp://` and `ftps://` (implicit FTPS, as curl reads the scheme): one file
 * saved through `<name>.part` and resumed with SIZE and REST (RFC 3659 §4, §5), or, for a URL ending in `/`, the
 * whole tree, listed with MLSD when FEAT offers MLST (RFC 3659 §7) and with LIST parsed otherwise. Remote names
 * are checked as torrent paths are: one safe segment each, or the download stops.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkSegments } from '../http/safe-path.js';
import { FtpControl, replyError } from './control.js';
import { FTP_DEFAULTS } from './defaults.js';
import { FtpError } from './errors.js';
import { parseLsLine, parseMlsxLine, type RemoteEntry } from './listing.js';

export interface FtpDownloadOptions {
  url: string;
  outDir: string;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  replyTimeoutMs?: number;
}

export interface FtpDownloadResult {
  /** The file saved, or the folder a tree was saved into. */
  path: string;
  bytes: number;
  files: number;
  resumedFromBytes: number;
}

export interface FtpUrl {
  implicitTls: boolean;
  host: string;
  port: number;
  user: string;
  pass: string;
  /** Decoded, checked path segments. */
  segments: string[];
  folder: boolean;
}

export function parseFtpUrl(text: string): FtpUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FtpError('FTP_BAD_URL', `"${text}" is not a URL`, 'input');
  }
  if ((url.protocol !== 'ftp:' && url.protocol !== 'ftps:') || !url.hostname) throw new FtpError('FTP_BAD_URL', `"${text}" is not an ftp(s):// URL`, 'input');
  let raw: string[];
  try {
    raw = url.pathname.split('/').map(decodeURIComponent);
  } catch {
    throw new FtpError('FTP_BAD_URL', `"${text}" has a badly encoded path`, 'input');
  }
  const verdict = checkSegments(raw);
  if (!verdict.ok || raw.some((s) => s.includes('/'))) throw new FtpError('FTP_BAD_URL', `"${text}" has a path that cannot be saved safely`, 'input');
  const implicitTls = url.protocol === 'ftps:';
  return {
    implicitTls,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : implicitTls ? 990 : 21,
    user: url.username ? decodeURIComponent(url.username) : 'anonymous',
    pass: url.username ? decodeURIComponent(url.password) : 'anonymous@',
    segments: verdict.segments,
    folder: url.pathname.endsWith('/'),
  };
}

const remotePath = (segments: readonly string[]): string => '/' + segments.join('/');

export async function ftpDownload(opts: FtpDownloadOptions): Promise<FtpDownloadResult> {
  const u = parseFtpUrl(opts.url);
  const control = new FtpControl({ host: u.host, port: u.port, implicitTls: u.implicitTls, replyTimeoutMs: opts.replyTimeoutMs ?? FTP_DEFAULTS.clientReplyTimeoutMs, signal: opts.signal });
  try {
    await control.connect();
    await control.login(u.user, u.pass);
    if (!u.folder) {
      if (u.segments.length === 0) throw new FtpError('FTP_BAD_URL', `${opts.url} names no file (end a folder URL with /)`, 'input');
      const path = join(opts.outDir, u.segments.at(-1)!);
      const r = await getFile(control, u.segments, path, opts, 0);
      return { path, bytes: r.bytes, files: 1, resumedFromBytes: r.resumedFromBytes };
    }
    const top = join(opts.outDir, u.segments.at(-1) ?? u.host);
    return await getTree(control, u.segments, top, opts);
  } finally {
    await control.quit();
  }
}

/** One file into `path` through `path.part`, resumed from what the .part holds when the server has SIZE and REST. */
async function getFile(c: FtpControl, segments: string[], path: string, opts: FtpDownloadOptions, doneBefore: number): Promise<{ bytes: number; resumedFromBytes: number }> {
  const remote = remotePath(segments);
  const part = path + '.part';
  const sizeReply = await c.send(`SIZE ${remote}`);
  const total = sizeReply.code === 213 ? Number(sizeReply.lines[0]) : -1;
  let have = await stat(part).then((s) => s.size, () => 0);
  if (total >= 0 && have > total) {
    await truncate(part, 0);
    have = 0;
  }
  if (total >= 0 && have === total) {
    await rename(part, path);
    opts.onProgress?.(doneBefore + have, doneBefore + total);
    return { bytes: have, resumedFromBytes: have };
  }
  const { socket: data, secure } = await c.openData();
  try {
    if (have > 0 && (await c.send(`REST ${have}`)).code !== 350) have = 0;
    const start = await c.send(`RETR ${remote}`);
    if (start.code !== 150 && start.code !== 125) throw replyError('RETR', start);
    await secure();
    let got = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        got += chunk.length;
        opts.onProgress?.(doneBefore + have + got, total >= 0 ? doneBefore + total : -1);
        done(null, chunk);
      },
    });
    try {
      await pipeline(data, counter, createWriteStream(part, have > 0 ? { flags: 'r+', start: have } : { flags: 'w' }));
    } catch (err) {
      throw new FtpError('FTP_IO', `downloading ${remote} failed: ${(err as Error).message}`, 'runtime', { cause: err });
    }
    const end = await c.next();
    if (end.code !== 226 && end.code !== 250) throw replyError('RETR', end);
    if (total >= 0 && have + got !== total) throw new FtpError('FTP_PROTOCOL', `${remote}: got ${have + got} of ${total} bytes`);
    await rename(part, path);
    return { bytes: have + got, resumedFromBytes: have };
  } finally {
    data.destroy();
  }
}

/** A folder listing: MLSD when offered, else LIST parsed; `.` and `..` left out, any other unsafe name refused. */
async function listRemote(c: FtpControl, segments: string[]): Promise<RemoteEntry[]> {
  const mlsd = c.features.has('MLST');
  const { socket: data, secure } = await c.openData();
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    const start = await c.send(`${mlsd ? 'MLSD' : 'LIST'} ${remotePath(segments)}`);
    if (start.code !== 150 && start.code !== 125) throw replyError(mlsd ? 'MLSD' : 'LIST', start);
    await secure();
    for await (const chunk of data as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > 64 * 1024 * 1024) throw new FtpError('FTP_PROTOCOL', 'a listing larger than 64 MiB');
      chunks.push(chunk);
    }
    const end = await c.next();
    if (end.code !== 226 && end.code !== 250) throw replyError('LIST', end);
  } finally {
    data.destroy();
  }
  const out: RemoteEntry[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    const e = mlsd ? parseMlsxLine(line) : parseLsLine(line);
    if (!e || e.name === '.' || e.name === '..') continue;
    const verdict = checkSegments([e.name]);
    if (!verdict.ok || verdict.segments.length !== 1 || e.name.includes('/')) throw new FtpError('FTP_UNSAFE_NAME', `the server listed an unsafe name ${JSON.stringify(e.name.slice(0, 80))} in ${remotePath(segments)}`);
    out.push(e);
  }
  return out;
}

async function getTree(c: FtpControl, root: string[], localRoot: string, opts: FtpDownloadOptions): Promise<FtpDownloadResult> {
  const stack: { remote: string[]; local: string; depth: number }[] = [{ remote: root, local: localRoot, depth: 0 }];
  let files = 0;
  let bytes = 0;
  let resumed = 0;
  let seen = 0;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    await mkdir(dir.local, { recursive: true });
    for (const e of await listRemote(c, dir.remote)) {
      if (++seen > FTP_DEFAULTS.clientMaxTreeEntries) throw new FtpError('FTP_PROTOCOL', `more than ${FTP_DEFAULTS.clientMaxTreeEntries} entries`);
      const remote = [...dir.remote, e.name];
      const local = join(dir.local, e.name);
      if (e.type === 'dir') {
        if (dir.depth + 1 > FTP_DEFAULTS.clientMaxTreeDepth) throw new FtpError('FTP_PROTOCOL', `folders nested deeper than ${FTP_DEFAULTS.clientMaxTreeDepth}`);
        stack.push({ remote, local, depth: dir.depth + 1 });
      } else if (e.type === 'file') {
        const r = await getFile(c, remote, local, opts, bytes);
        files++;
        bytes += r.bytes;
        resumed += r.resumedFromBytes;
      }
    }
  }
  return { path: localRoot, bytes, files, resumedFromBytes: resumed };
}
