/**
 * The commands that set up a session rather than move files: login (RFC 959 §4.1.1), TLS (RFC 4217 §4, §9),
 * features and options (RFC 2389, RFC 2640 §3.2, RFC 3659 §7.9), the working directory, transfer parameters, and
 * the data-connection commands (RFC 959 §4.1.2, RFC 2428).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { Handler } from './commands.js';
import { DataFailure } from './data-channel.js';
import { mlstFeature, selectFacts } from './listing.js';
import { displayPath, lookup, quotePath, resolveFtpPath } from './paths.js';
import { formatEpsvReply, formatHostPortCommas, parseEprt, parseHostPortCommas, plainAddress } from './rfc2428.js';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));
const ANONYMOUS = new Set(['anonymous', 'ftp']);

export const user: Handler = (s, arg) => {
  if (s.cfg.tls?.required && !s.state.tls) return s.reply(530, 'TLS is required: send AUTH TLS first');
  if (!arg) return s.reply(501, 'USER needs a name');
  s.state.user = undefined;
  s.state.mayWrite = false;
  s.state.pendingUser = arg;
  s.reply(331, 'Please give the password');
};

export const pass: Handler = async (s, arg) => {
  const name = s.state.pendingUser;
  if (name === undefined) return s.reply(503, s.state.user ? 'Already logged in' : 'Send USER first');
  s.state.pendingUser = undefined;
  const auth = s.cfg.auth;
  const ok = auth ? same(name, auth.user) && same(arg, auth.pass) : ANONYMOUS.has(name.toLowerCase());
  s.log({ event: 'ftp:login', remote: s.remote, user: name, outcome: ok ? 'ok' : 'failed', timeMs: Date.now() });
  if (ok) {
    s.state.user = auth ? name : 'anonymous';
    s.state.mayWrite = auth !== undefined && s.cfg.allowWrite;
    s.state.loginFailures = 0;
    return s.reply(230, `Logged in${s.state.mayWrite ? '' : ', read-only'}`);
  }
  // Each failure is answered late, and the third closes the connection: guessing is slow.
  await new Promise((r) => setTimeout(r, s.cfg.loginFailureDelayMs));
  if (++s.state.loginFailures >= s.cfg.maxLoginFailures) return s.closeWith(421, 'Too many failed logins');
  s.reply(530, 'Login incorrect');
};

export const feat: Handler = (s) => {
  const tls = s.tlsConfigured ? ['AUTH TLS', 'PBSZ', 'PROT'] : [];
  // RFC 2389 §3.2: `211-` line, one feature per line indented by a space, then `211 End`.
  s.reply(211, ['Features:', ...tls, 'EPRT', 'EPSV', 'MDTM', mlstFeature(s.state.facts), 'PASV', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8', 'End']);
};

export const opts: Handler = (s, arg) => {
  const [name, ...rest] = arg.split(' ');
  const value = rest.join(' ');
  const upper = (name ?? '').toUpperCase();
  if (upper === 'UTF8' || upper === 'UTF-8') return s.reply(200, 'Always in UTF8 mode'); // RFC 2640 §3.2: names are UTF-8
  if (upper === 'MLST') {
    s.state.facts = selectFacts(value);
    return s.reply(200, `MLST OPTS ${s.state.facts.map((f) => f + ';').join('')}`);
  }
  s.reply(501, 'Option not understood');
};

export const auth: Handler = (s, arg) => {
  const mech = arg.trim().toUpperCase();
  if (!s.tlsConfigured) return s.reply(502, 'TLS is not configured on this server');
  if (mech !== 'TLS' && mech !== 'TLS-C' && mech !== 'SSL') return s.reply(504, 'AUTH TLS only');
  if (s.state.tls) return s.reply(503, 'TLS is already on');
  if (s.state.user) return s.reply(503, 'AUTH must come before login');
  s.startTls();
};

export const pbsz: Handler = (s, arg) => {
  if (!s.state.tls) return s.reply(503, 'PBSZ needs AUTH TLS first');
  if (!/^\d+$/.test(arg.trim())) return s.reply(501, 'PBSZ needs a number');
  s.state.pbsz = true;
  s.reply(200, 'PBSZ=0'); // RFC 4217 §8: a stream-oriented TLS data channel has no buffer size
};

export const prot: Handler = (s, arg) => {
  const level = arg.trim().toUpperCase();
  if (!s.state.tls || !s.state.pbsz) return s.reply(503, 'PROT needs AUTH TLS and PBSZ first');
  if (level === 'P') {
    s.state.prot = 'P';
    return s.reply(200, 'Data connections protected');
  }
  if (level === 'C') {
    if (s.cfg.tls?.required) return s.reply(534, 'Clear data connections are refused here'); // RFC 4217 §9
    s.state.prot = 'C';
    return s.reply(200, 'Data connections in the clear');
  }
  s.reply(level === 'S' || level === 'E' ? 536 : 504, 'Only PROT P and PROT C');
};

export const pwd: Handler = (s) => s.reply(257, `${quotePath(displayPath(s.state.cwd))} is the current directory`);

export const cwd: Handler = (s, arg) => {
  const segments = resolveFtpPath(s.state.cwd, arg || '/');
  const found = segments && lookup(s.realRoot, segments);
  if (!segments || !found || found.kind !== 'found' || !found.stats.isDirectory()) return s.reply(550, 'No such directory');
  s.state.cwd = segments;
  s.reply(250, `Directory changed to ${displayPath(segments)}`);
};

export const cdup: Handler = (s, _arg, verbs) => cwd(s, '..', verbs);

export const type: Handler = (s, arg) => {
  const t = arg.trim().toUpperCase().replace(/\s+/g, ' ');
  if (t === 'A' || t === 'A N') s.state.type = 'A';
  else if (t === 'I' || t === 'L 8') s.state.type = 'I';
  else return s.reply(504, 'TYPE A or I only');
  s.reply(200, `Type set to ${s.state.type}`);
};

export const mode: Handler = (s, arg) => (arg.trim().toUpperCase() === 'S' ? s.reply(200, 'Mode S') : s.reply(504, 'MODE S only'));
export const stru: Handler = (s, arg) => (arg.trim().toUpperCase() === 'F' ? s.reply(200, 'Structure F') : s.reply(504, 'STRU F only'));

export const pasv: Handler = (s) => {
  if (s.state.epsvAll) return s.reply(503, 'Only EPSV after EPSV ALL');
  const local = plainAddress(s.localAddress);
  const address = s.cfg.pasvAddress ?? local;
  if (!isIPv4(address) || !isIPv4(plainAddress(s.remote))) return s.reply(425, 'PASV is for IPv4; use EPSV');
  return passive(s, (port) => s.reply(227, `Entering Passive Mode (${formatHostPortCommas(address, port)})`));
};

export const epsv: Handler = (s, arg) => {
  const a = arg.trim().toUpperCase();
  if (a === 'ALL') {
    s.state.epsvAll = true;
    return s.reply(200, 'EPSV ALL: only EPSV from now on');
  }
  const family = isIPv4(plainAddress(s.localAddress)) ? '1' : '2';
  if (a !== '' && a !== family) return s.reply(522, `Network protocol not supported, use (${family})`);
  return passive(s, (port) => s.reply(229, formatEpsvReply(port)));
};

/** Arms a passive listener and answers with its port: at once when one lingers, else once a new one is bound. */
function passive(s: Parameters<Handler>[0], answer: (port: number) => void): void | Promise<void> {
  const reused = s.data.reuse();
  if (reused !== undefined) return answer(reused);
  return s.data.listen().then(answer, (err: unknown) => {
    if (!(err instanceof DataFailure)) throw err;
    s.reply(err.replyCode, err.replyText);
  });
}

export const port: Handler = (s, arg) => {
  if (s.state.epsvAll) return s.reply(503, 'Only EPSV after EPSV ALL');
  const target = parseHostPortCommas(arg);
  if (!target) return s.reply(501, 'PORT h1,h2,h3,h4,p1,p2');
  activate(s, target);
};

export const eprt: Handler = (s, arg) => {
  if (s.state.epsvAll) return s.reply(503, 'Only EPSV after EPSV ALL');
  const target = parseEprt(arg.trim());
  if (!target) return s.reply(/^\|[12]\|/.test(arg.trim()) ? 501 : 522, 'EPRT |1|address|port| or |2|address|port|');
  activate(s, target);
};

function activate(s: Parameters<Handler>[0], target: { host: string; port: number }): void {
  const refused = s.data.setActive(target);
  if (refused) {
    s.log({ event: 'ftp:refused', remote: s.remote, reason: `active data connection to ${target.host}:${target.port}` });
    return s.reply(refused.replyCode, refused.replyText);
  }
  s.reply(200, 'PORT command successful');
}

export const rest: Handler = (s, arg) => {
  const t = arg.trim();
  if (!/^\d{1,15}$/.test(t)) return s.reply(501, 'REST needs a byte offset');
  s.state.restOffset = Number(t);
  s.reply(350, `Restarting at ${t}; send RETR or STOR`);
};

export const abor: Handler = (s) => s.abort();
export const noop: Handler = (s) => s.reply(200, 'NOOP ok');
export const syst: Handler = (s) => s.reply(215, 'UNIX Type: L8');
export const allo: Handler = (s) => s.reply(202, 'No storage allocation necessary');
export const quit: Handler = (s) => s.closeWith(221, 'Goodbye');

export const help: Handler = (s, _arg, verbs) => {
  const lines = ['The following commands are recognized:'];
  for (let i = 0; i < verbs.length; i += 8) lines.push(verbs.slice(i, i + 8).join(' '));
  s.reply(214, [...lines, 'Help OK']);
};
