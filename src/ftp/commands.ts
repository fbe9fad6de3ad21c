/**
 * The command table: each verb, the handler that answers it, and whether it needs a login or write access.
 * Verbs not listed get 502 (RFC 959 §4.2). The X-forms (XPWD, XCWD, ...) are RFC 775's names, still sent by some
 * clients.
 */
import * as files from './commands-files.js';
import * as ses from './commands-session.js';
import type { Session } from './session.js';

export type Handler = (s: Session, arg: string, verbs: readonly string[]) => void | Promise<void>;

export interface CommandSpec {
  run: Handler;
  /** Refused with 530 before login. */
  login: boolean;
  /** Refused with 550 unless the session may write (`--auth` user and `--ftp-write`). */
  write?: boolean;
}

const open = (run: Handler): CommandSpec => ({ run, login: false });
const auth = (run: Handler): CommandSpec => ({ run, login: true });
const write = (run: Handler): CommandSpec => ({ run, login: true, write: true });

const table: [string, CommandSpec][] = [
  ['USER', open(ses.user)],
  ['PASS', open(ses.pass)],
  ['QUIT', open(ses.quit)],
  ['NOOP', open(ses.noop)],
  ['SYST', open(ses.syst)],
  ['FEAT', open(ses.feat)],
  ['OPTS', open(ses.opts)],
  ['HELP', open(ses.help)],
  ['AUTH', open(ses.auth)],
  ['PBSZ', open(ses.pbsz)],
  ['PROT', open(ses.prot)],
  ['ABOR', open(ses.abor)],
  ['STAT', open(files.stat)],
  ['PWD', auth(ses.pwd)],
  ['XPWD', auth(ses.pwd)],
  ['CWD', auth(ses.cwd)],
  ['XCWD', auth(ses.cwd)],
  ['CDUP', auth(ses.cdup)],
  ['XCUP', auth(ses.cdup)],
  ['TYPE', auth(ses.type)],
  ['MODE', auth(ses.mode)],
  ['STRU', auth(ses.stru)],
  ['ALLO', auth(ses.allo)],
  ['PASV', auth(ses.pasv)],
  ['EPSV', auth(ses.epsv)],
  ['PORT', auth(ses.port)],
  ['EPRT', auth(ses.eprt)],
  ['REST', auth(ses.rest)],
  ['LIST', auth(files.list)],
  ['NLST', auth(files.nlst)],
  ['MLSD', auth(files.mlsd)],
  ['MLST', auth(files.mlst)],
  ['RETR', auth(files.retr)],
  ['SIZE', auth(files.size)],
  ['MDTM', auth(files.mdtm)],
  ['STOR', write(files.stor)],
  ['APPE', write(files.appe)],
  ['MKD', write(files.mkd)],
  ['XMKD', write(files.mkd)],
  ['RMD', write(files.rmd)],
  ['XRMD', write(files.rmd)],
  ['DELE', write(files.dele)],
  ['RNFR', write(files.rnfr)],
  ['RNTO', write(files.rnto)],
];

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(table);
export const VERBS: readonly string[] = table.map(([v]) => v);
