/**
 * The commands that read and change files: RETR with REST (RFC 959 §4.1.3, RFC 3659 §5), LIST/NLST (RFC 959),
 * MLSD/MLST (RFC 3659 §7), SIZE and MDTM (RFC 3659 §3, §4), and with `--ftp-write` STOR, APPE, MKD, RMD, DELE,
 * RNFR/RNTO. Every name goes through paths.ts; replies name only virtual paths.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { copyFile, mkdir, open, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { sep } from 'node:path';
import { SERVED_FILE_FLAGS } from '../http/safe-path.js';
import type { Handler } from './commands.js';
import { timeVal } from './listing.js';
import { listFolder, listingBody, type ListKind } from './folder.js';
import { globMatch, splitGlob } from './glob.js';
import { displayPath, entry, lookup, quotePath, resolveFtpPath, UPLOAD_TEMP_PREFIX } from './paths.js';
import type { Session } from './session.js';
import { dataRefusal, openData, readSmall, receiveFile, sendBody, sendFile, SMALL_FILE_BYTES, type Move } from './transfer.js';

type Found = { segments: string[]; realPath: string; isDir: boolean; isFile: boolean; size: number; mtimeMs: number };

/** An existing file or folder named by `arg`, or undefined after a 550 reply. */
function find(s: Session, arg: string): Found | undefined {
  const segments = resolveFtpPath(s.state.cwd, arg);
  const hit = segments && lookup(s.realRoot, segments);
  if (!segments || !hit || hit.kind !== 'found') {
    s.reply(550, 'No such file or directory');
    return undefined;
  }
  return { segments, realPath: hit.realPath, isDir: hit.stats.isDirectory(), isFile: hit.stats.isFile(), size: hit.stats.size, mtimeMs: hit.stats.mtimeMs };
}

/**
 * Sends `opening` (the 150) and runs a transfer, logging it once at its end whatever the outcome, then 226. A move
 * that is already over (sendBody) sends its 226 in the same write as the 150.
 */
function transfer(s: Session, opening: string, command: string, path: string, move: Move): void {
  const startedMs = Date.now();
  const base = { event: 'ftp:transfer', remote: s.remote, user: s.state.user ?? '-', command, path, startedMs, tls: s.state.prot === 'P' } as const;
  const logOk = (bytes: number): void => s.log({ ...base, bytes, seconds: (Date.now() - startedMs) / 1000, outcome: 'ok' });
  const complete = (bytes: number): string => `Transfer complete (${bytes} bytes)`;
  if (typeof move === 'number') {
    logOk(move);
    return s.replies([[150, opening], [226, complete(move)]]);
  }
  s.reply(150, opening);
  s.runTransfer(async (signal) => {
    let bytes = 0;
    try {
      bytes = await move(signal);
    } catch (err) {
      const outcome = signal.aborted ? 'aborted' : 'error';
      s.log({ ...base, bytes, seconds: (Date.now() - startedMs) / 1000, outcome, error: (err as Error).message });
      throw err;
    }
    logOk(bytes);
    s.reply(226, complete(bytes));
  });
}

/**
 * Sends a body held in memory (a small file, a listing) with its 150 and 226. A client that connects and sends its
 * command at once often has both in one batch of events, the command read first: when the passive connection is
 * expected but not yet taken, the reply waits for the rest of that batch (setImmediate runs after it), so that the
 * connection is taken and the body sent at once (sendBody) rather than by a transfer in the background.
 */
function sendInMemory(s: Session, opening: string, command: string, path: string, body: Buffer): void | Promise<void> {
  const go = (): void => transfer(s, opening, command, path, sendBody(s, body));
  if (!s.data.awaitingConnection || s.state.prot === 'P') return go();
  return new Promise<void>((resolve) => setImmediate(resolve)).then(go);
}

export const retr: Handler = (s, arg) => {
  const refusal = dataRefusal(s);
  if (refusal) return s.reply(s.data.prepared ? 521 : 425, refusal);
  const f = find(s, arg);
  if (!f) return;
  if (!f.isFile) return s.reply(550, 'Not a plain file'); // a folder, a FIFO or a device is never opened
  let fd: number;
  try {
    // A synchronous open, as safe-path's lookups are: a local open takes microseconds, a thread-pool trip more.
    fd = openSync(f.realPath, SERVED_FILE_FLAGS);
  } catch {
    return s.reply(550, 'Cannot read the file');
  }
  const from = Math.min(s.state.restOffset, f.size);
  s.state.restOffset = 0;
  const shown = displayPath(f.segments);
  const opening = `Opening BINARY mode data connection for ${shown} (${f.size - from} bytes)`;
  const file = { fd, from, end: f.size };
  if (f.size - from <= SMALL_FILE_BYTES) {
    let body: Buffer;
    try {
      body = readSmall(file);
    } finally {
      closeSync(fd);
    }
    return sendInMemory(s, opening, 'RETR', shown, body);
  }
  transfer(s, opening, 'RETR', shown, async (signal) => {
    try {
      const conn = await openData(s, signal);
      return await sendFile(conn, file, s.cfg.readChunkBytes, signal, s.cfg.dataIdleTimeoutMs);
    } finally {
      closeSync(fd);
    }
  });
};

function lister(kind: ListKind): Handler {
  return (s, arg) => {
    const refusal = dataRefusal(s);
    if (refusal) return s.reply(s.data.prepared ? 521 : 425, refusal);
    // LIST -a, -la, -l: wget and others send ls options.
    const target = kind === 'MLSD' ? arg : arg.replace(/^(?:-[a-zA-Z]+\s*)+/, '');
    const glob = kind === 'MLSD' ? undefined : splitGlob(target);
    const f = find(s, glob ? glob.dir || '.' : target || '.');
    if (!f) return;
    if (kind === 'MLSD' && !f.isDir) return s.reply(501, 'MLSD lists folders; use MLST for a file'); // RFC 3659 §7.2
    if (glob && !f.isDir) return s.reply(550, 'No such file or directory');
    let entries = f.isDir ? listFolder(s.realRoot, f.realPath, s.cfg.maxListEntries) : [{ name: f.segments.at(-1) ?? '/', stats: lookupStats(s, f) }];
    // NLST names come back as the client wrote the folder, so that `mget sub/*.txt` can fetch each one.
    if (glob) entries = entries.filter((e) => globMatch(glob.pattern, e.name)).map((e) => (kind === 'NLST' ? { ...e, name: glob.dir + e.name } : e));
    const body = Buffer.from(listingBody(kind, entries, s.state.facts, s.state.mayWrite, Date.now()), 'utf8');
    const shown = displayPath(f.segments) + (glob ? `${f.segments.length ? '/' : ''}${glob.pattern}` : '');
    return sendInMemory(s, `Here comes the listing of ${shown}`, kind, shown, body);
  };
}

function lookupStats(s: Session, f: Found): import('node:fs').Stats {
  const hit = lookup(s.realRoot, f.segments);
  if (hit.kind !== 'found') throw new Error('file vanished');
  return hit.stats;
}

export const list = lister('LIST');
export const nlst = lister('NLST');
export const mlsd = lister('MLSD');

/** MLST on the control connection (RFC 3659 §7.2): `250-`, one fact line starting with a space, `250 End`. */
export const mlst: Handler = (s, arg) => {
  const f = find(s, arg || '.');
  if (!f) return;
  const line = listingBody('MLSD', [{ name: displayPath(f.segments), stats: lookupStats(s, f) }], s.state.facts, s.state.mayWrite, Date.now()).trimEnd();
  s.reply(250, [`Listing ${displayPath(f.segments)}`, line.trimStart(), 'End']);
};

/** STAT with a path: its listing over the control connection (RFC 959 §4.1.3); without, the session's state. */
export const stat: Handler = (s, arg) => {
  if (!arg) {
    const who = s.state.user ? `Logged in as ${s.state.user}` : 'Not logged in';
    return s.reply(211, ['tandem FTP server status:', who, `TYPE ${s.state.type}, TLS ${s.state.tls ? 'on' : 'off'}, PROT ${s.state.prot}`, s.transferring ? 'A transfer is running' : 'No transfer running', 'End of status']);
  }
  if (!s.state.user) return s.reply(530, 'Please log in with USER and PASS');
  const f = find(s, arg.replace(/^(?:-[a-zA-Z]+\s*)+/, '') || '.');
  if (!f) return;
  const entries = f.isDir ? listFolder(s.realRoot, f.realPath, s.cfg.maxListEntries) : [{ name: f.segments.at(-1) ?? '/', stats: lookupStats(s, f) }];
  const lines = listingBody('LIST', entries, s.state.facts, s.state.mayWrite, Date.now()).split('\r\n').filter(Boolean);
  s.reply(213, [`Status of ${displayPath(f.segments)}:`, ...lines, 'End of status']);
};

export const size: Handler = (s, arg) => {
  const f = find(s, arg);
  if (f && !f.isFile) s.reply(550, 'Not a plain file');
  else if (f) s.reply(213, String(f.size)); // RFC 3659 §4: the size in TYPE I octets
};

export const mdtm: Handler = (s, arg) => {
  const f = find(s, arg);
  if (f) s.reply(213, timeVal(f.mtimeMs));
};

/** An entry to create or change, or undefined after a 550 reply. */
function target(s: Session, arg: string): (ReturnType<typeof entry> & { kind: 'ok' }) & { shown: string } | undefined {
  const segments = resolveFtpPath(s.state.cwd, arg);
  const e = segments && segments.length > 0 ? entry(s.realRoot, segments) : undefined;
  if (!segments || !e || e.kind !== 'ok') {
    s.reply(550, e?.kind === 'missing-parent' ? 'No such directory' : 'Permission denied');
    return undefined;
  }
  return { ...e, shown: displayPath(segments) };
}

/**
 * STOR and APPE: bytes go to a temporary file beside the target, renamed over it at the end, so no one ever sees
 * a half-written file under its name. With REST (RFC 3659 §5) or APPE the existing file is copied into the
 * temporary one first (copy_file_range: the kernel copies, often by sharing blocks), then the new bytes follow.
 */
function storer(command: 'STOR' | 'APPE'): Handler {
  return async (s, arg) => {
    const refusal = dataRefusal(s);
    if (refusal) return s.reply(s.data.prepared ? 521 : 425, refusal);
    const t = target(s, arg);
    if (!t) return;
    if (t.stats && !t.stats.isFile()) return s.reply(550, 'Not a plain file');
    const existing = t.stats?.size ?? 0;
    const from = command === 'APPE' ? existing : s.state.restOffset;
    s.state.restOffset = 0;
    if (from > existing) return s.reply(554, 'REST offset beyond the end of the file'); // RFC 3659 §5.5
    const temp = t.parentReal + sep + UPLOAD_TEMP_PREFIX + randomBytes(8).toString('hex');
    let file: FileHandle;
    try {
      if (from > 0) await copyFile(t.path, temp, constants.COPYFILE_EXCL);
      file = await open(temp, from > 0 ? constants.O_RDWR | constants.O_NOFOLLOW : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      if (from > 0) await file.truncate(from);
    } catch {
      await unlink(temp).catch(() => undefined);
      return s.reply(550, 'Cannot write the file');
    }
    transfer(s, `Ok to send data for ${t.shown}`, command, t.shown, async (signal) => {
      let done = false;
      try {
        const n = await receiveFile(s, file, from, signal);
        await file.close();
        await rename(temp, t.path);
        done = true;
        return n;
      } finally {
        if (!done) {
          await file.close().catch(() => undefined);
          await unlink(temp).catch(() => undefined);
        }
      }
    });
  };
}

export const stor = storer('STOR');
export const appe = storer('APPE');

/** Runs a file-system change, answering `ok` or 550 without the system's message (it would name real paths). */
async function change(s: Session, act: () => Promise<unknown>, code: number, ok: string): Promise<void> {
  try {
    await act();
    s.reply(code, ok);
  } catch {
    s.reply(550, 'Permission denied or not possible');
  }
}

export const mkd: Handler = async (s, arg) => {
  const t = target(s, arg);
  if (!t) return;
  if (t.stats) return s.reply(550, 'Already exists');
  await change(s, () => mkdir(t.path, 0o755), 257, `${quotePath(t.shown)} created`);
};

export const rmd: Handler = async (s, arg) => {
  const t = target(s, arg);
  if (!t) return;
  if (!t.stats?.isDirectory()) return s.reply(550, 'No such directory');
  await change(s, () => rmdir(t.path), 250, 'Directory removed');
};

export const dele: Handler = async (s, arg) => {
  const t = target(s, arg);
  if (!t) return;
  if (!t.stats || t.stats.isDirectory()) return s.reply(550, 'No such file');
  await change(s, () => unlink(t.path), 250, 'File deleted');
};

export const rnfr: Handler = (s, arg) => {
  const t = target(s, arg);
  if (!t) return;
  if (!t.stats) return s.reply(550, 'No such file or directory');
  s.state.renameFrom = { path: t.path, shown: t.shown };
  s.reply(350, 'Ready for RNTO');
};

export const rnto: Handler = async (s, arg) => {
  const from = s.state.renameFrom;
  s.state.renameFrom = undefined;
  if (!from) return s.reply(503, 'Send RNFR first');
  const t = target(s, arg);
  if (!t) return;
  await change(s, () => rename(from.path, t.path), 250, 'Rename successful');
};
