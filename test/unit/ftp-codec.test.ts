// The pure FTP codec: command lines (RFC 959 §4.1, §5.3), replies (§4.2), addresses (RFC 959 PORT/PASV, RFC 2428
// EPRT/EPSV), listings (ls -l, RFC 3659 MLSx) and path resolution; with a fuzz test of the command parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import fc from 'fast-check';
import {
  formatEpsvReply,
  formatHostPortCommas,
  formatReply,
  LineSplitter,
  lsLine,
  mlsxLine,
  parseCommand,
  parseEprt,
  parseEpsvReply,
  parseHostPortCommas,
  parseLsLine,
  parseMlsxLine,
  parsePasvReply,
  ReplyParser,
  resolveFtpPath,
  timeVal,
} from '../../src/ftp/index.js';

test('lines: CRLF and bare LF, split across chunks, Telnet IAC dropped, UTF-8 names', () => {
  const s = new LineSplitter(4096);
  assert.deepEqual(s.push(Buffer.from('USER ftp\r\nPASS x\nRE')), { lines: ['USER ftp', 'PASS x'], tooLong: false });
  assert.deepEqual(s.push(Buffer.from('TR a\r')), { lines: [], tooLong: false });
  assert.deepEqual(s.push(Buffer.from('\n')), { lines: ['RETR a'], tooLong: false });
  // RFC 959 §4.1.3: ABOR may come after Telnet IP (IAC 244) and Synch (IAC 242); IAC IAC is one 0xFF byte.
  assert.deepEqual(s.push(Buffer.from([0xff, 0xf4, 0xff, 0xf2, ...Buffer.from('ABOR\r\n')])).lines, ['ABOR']);
  assert.deepEqual(s.push(Buffer.from('RETR caf\u00e9.txt\r\n', 'utf8')).lines, ['RETR café.txt']);
});

test('lines: an over-long line is reported, whether it ends or not', () => {
  const s = new LineSplitter(16);
  assert.equal(s.push(Buffer.alloc(17, 0x41)).tooLong, true);
  const t = new LineSplitter(16);
  assert.equal(t.push(Buffer.from('A'.repeat(40) + '\r\n')).tooLong, true);
  const u = new LineSplitter(16);
  assert.equal(u.push(Buffer.from('NOOP\r\nNOOP\r\nNOOP\r\n')).tooLong, false);
});

test('lines: discard() forgets what followed AUTH TLS in the same packet', () => {
  const s = new LineSplitter(4096);
  s.push(Buffer.from('USER x'));
  s.discard();
  assert.deepEqual(s.push(Buffer.from('\r\n')).lines, ['']);
});

test('commands: verb of 3-4 letters, case-insensitive, argument kept with its spaces', () => {
  assert.deepEqual(parseCommand('retr my file.txt'), { verb: 'RETR', arg: 'my file.txt' });
  assert.deepEqual(parseCommand('PWD'), { verb: 'PWD', arg: '' });
  assert.deepEqual(parseCommand('STOR  lead'), { verb: 'STOR', arg: ' lead' });
  for (const bad of ['', 'RE', 'RETRX a', '1234', ' USER x', 'US\0R x']) assert.equal(parseCommand(bad), undefined, bad);
});

test('replies: one line, multi-line with indented middle lines, CR/LF in names cannot forge a reply', () => {
  assert.equal(formatReply(200, 'ok'), '200 ok\r\n');
  assert.equal(formatReply(211, ['Features:', 'EPSV', 'UTF8', 'End']), '211-Features:\r\n EPSV\r\n UTF8\r\n211 End\r\n');
  assert.equal(formatReply(550, 'no such file a\r\n230 Logged in'), '550 no such file a  230 Logged in\r\n');
});

test('reply parser: single, multi-line (RFC 959 §4.2), split anywhere, and garbage refused', () => {
  const p = new ReplyParser();
  const text = '220 hi\r\n211-Features:\r\n EPSV\r\n211 End\r\n150 ok\r\n';
  const got = [...text].flatMap((ch) => p.push(Buffer.from(ch)));
  assert.deepEqual(got, [
    { code: 220, lines: ['hi'] },
    { code: 211, lines: ['Features:', ' EPSV', 'End'] },
    { code: 150, lines: ['ok'] },
  ]);
  assert.throws(() => new ReplyParser().push(Buffer.from('hello\r\n')));
});

test('addresses: PORT/PASV commas, EPRT both families, EPSV and PASV replies', () => {
  assert.deepEqual(parseHostPortCommas('127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
  assert.equal(parseHostPortCommas('127,0,0,256,4,1'), undefined);
  assert.equal(parseHostPortCommas('127,0,0,1,4'), undefined);
  assert.equal(formatHostPortCommas('10.1.2.3', 50000), '10,1,2,3,195,80');
  assert.deepEqual(parseEprt('|1|132.235.1.2|6275|'), { host: '132.235.1.2', port: 6275 });
  assert.deepEqual(parseEprt('|2|::1|5282|'), { host: '::1', port: 5282 });
  assert.deepEqual(parseEprt('!2!::1!5282!'), { host: '::1', port: 5282 });
  for (const bad of ['|1|::1|5|', '|2|1.2.3.4|5|', '|3|x|5|', '|1|1.2.3.4|0|', '|1|1.2.3.4|70000|', '1|1.2.3.4|5|', '|1|1.2.3.4|5']) assert.equal(parseEprt(bad), undefined, bad);
  assert.equal(parseEpsvReply(formatEpsvReply(6446)), 6446);
  assert.equal(parseEpsvReply('Entering Extended Passive Mode (!!!6446!)'), 6446);
  assert.equal(parseEpsvReply('no port here'), undefined);
  assert.deepEqual(parsePasvReply('Entering Passive Mode (10,0,0,5,195,80).'), { host: '10.0.0.5', port: 50000 });
  assert.deepEqual(parsePasvReply('=10,0,0,5,195,80'), { host: '10.0.0.5', port: 50000 });
});

test('paths: relative to the working directory, .. resolved, never above the root, segment rules of safe-path', () => {
  assert.deepEqual(resolveFtpPath(['a', 'b'], 'c.txt'), ['a', 'b', 'c.txt']);
  assert.deepEqual(resolveFtpPath(['a', 'b'], '/x/./y'), ['x', 'y']);
  assert.deepEqual(resolveFtpPath(['a', 'b'], '../c'), ['a', 'c']);
  assert.deepEqual(resolveFtpPath(['a'], '..'), []);
  assert.equal(resolveFtpPath([], '..'), undefined);
  assert.equal(resolveFtpPath(['a'], '../../etc/passwd'), undefined);
  assert.equal(resolveFtpPath([], '/../etc'), undefined);
  assert.equal(resolveFtpPath([], 'a\0b'), undefined);
  assert.equal(resolveFtpPath([], 'a\\..\\b'), undefined);
  assert.equal(resolveFtpPath([], 'x'.repeat(300)), undefined);
  assert.deepEqual(resolveFtpPath(['a'], ''), ['a']);
});

const fakeStats = (dir: boolean, size: number, mtimeMs: number, mode: number): Stats =>
  ({ isDirectory: () => dir, isSymbolicLink: () => false, isFile: () => !dir, size, mtimeMs, mode }) as unknown as Stats;

test('listings: ls -l lines parse back; MLSx facts (RFC 3659 §7) parse back; time-val is UTC', () => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  const file = { name: 'my file.txt', stats: fakeStats(false, 1234, Date.UTC(2026, 11, 1, 9, 5), 0o100644) };
  const old = { name: 'old', stats: fakeStats(true, 0, Date.UTC(2020, 0, 2), 0o40755) };
  assert.equal(lsLine(file, now), '-rw-r--r-- 1 ftp      ftp              1234 Dec  1 09:05 my file.txt');
  assert.match(lsLine(old, now), /^drwxr-xr-x 1 ftp +ftp +4096 Jan {2}2 {2}2020 old$/);
  assert.deepEqual(parseLsLine(lsLine(file, now)), { name: 'my file.txt', type: 'file', size: 1234 });
  assert.deepEqual(parseLsLine(lsLine(old, now)), { name: 'old', type: 'dir', size: 4096 });
  const line = mlsxLine(file, ['type', 'size', 'modify', 'perm'], false);
  assert.equal(line, 'type=file;size=1234;modify=20261201090500;perm=r; my file.txt');
  assert.deepEqual(parseMlsxLine(line), { name: 'my file.txt', type: 'file', size: 1234 });
  assert.equal(mlsxLine(old, ['type', 'perm'], true), 'type=dir;perm=cdeflmp; old');
  assert.equal(parseMlsxLine('type=cdir; .'), undefined);
  assert.equal(timeVal(Date.UTC(2026, 0, 2, 3, 4, 5)), '20260102030405');
});

test('fuzz: the command parser and line splitter never throw, and what parses re-parses the same', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (bytes, cut) => {
      const s = new LineSplitter(256);
      const buf = Buffer.from(bytes);
      const lines: string[] = [];
      for (let i = 0; i < buf.length; i += cut) lines.push(...s.push(buf.subarray(i, i + cut)).lines);
      for (const l of lines) {
        const c = parseCommand(l);
        if (!c) continue;
        assert.match(c.verb, /^[A-Z]{3,4}$/);
        assert.deepEqual(parseCommand(c.arg === '' ? c.verb : `${c.verb} ${c.arg}`), c);
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      const c = parseCommand(text);
      if (c) assert.equal(text.toUpperCase().startsWith(c.verb), true);
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: a formatted reply parses back to the same code and lines, whatever the text', () => {
  fc.assert(
    fc.property(fc.integer({ min: 100, max: 599 }), fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 5 }), (code, lines) => {
      const got = new ReplyParser().push(Buffer.from(formatReply(code, lines)));
      assert.equal(got.length, 1);
      assert.equal(got[0]!.code, code);
      assert.equal(got[0]!.lines.length, lines.length);
    }),
    { numRuns: 1000 },
  );
});
