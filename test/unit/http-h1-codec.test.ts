// The fast path's request-head parser and response-head encoder (src/http/h1-codec.ts): table-driven and fuzzed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkPartialHead, DateCache, encodeRefusal, encodeResponseHead, findHeadEnd, parseRequestHead, requestLineOf, type HeadParse } from '../../src/http/h1-codec.js';

const LIMITS = { maxHeadBytes: 16 * 1024, maxHeaderCount: 100 };
const b = (text: string): Buffer => Buffer.from(text, 'latin1');

function parse(text: string, limits = LIMITS): HeadParse {
  const buf = b(text);
  const end = findHeadEnd(buf, 0);
  assert.ok(end > 0, `no head end in ${JSON.stringify(text)}`);
  return parseRequestHead(buf.subarray(0, end), limits);
}

function head(text: string): Extract<HeadParse, { kind: 'head' }>['head'] {
  const r = parse(text);
  assert.equal(r.kind, 'head', JSON.stringify(r));
  return (r as Extract<HeadParse, { kind: 'head' }>).head;
}

test('findHeadEnd: CRLF and bare LF blank lines, incomplete heads, resuming a search', () => {
  assert.equal(findHeadEnd(b('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET'), 0), 27);
  assert.equal(findHeadEnd(b('GET / HTTP/1.0\n\n'), 0), 16);
  assert.equal(findHeadEnd(b('GET / HTTP/1.1\r\nHost: x\r\n'), 0), -1);
  assert.equal(findHeadEnd(b('GET / HTTP/1.1\r\nHost: x\r\n\r'), 0), -1);
  // Resuming 3 bytes back finds a terminator split across two reads.
  const whole = b('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(findHeadEnd(whole, whole.length - 2), whole.length);
});

test('request line, headers lower-cased, keep-alive by version and Connection (RFC 9112 §9.3)', () => {
  const h = head('GET /a%20b?x=1 HTTP/1.1\r\nHost: x\r\nUser-Agent:  curl/8 \r\nRange: bytes=0-1\r\n\r\n');
  assert.deepEqual([h.method, h.target, h.httpVersion, h.keepAlive, h.handOff], ['GET', '/a%20b?x=1', '1.1', true, undefined]);
  assert.deepEqual({ ...h.headers }, { host: 'x', 'user-agent': 'curl/8', range: 'bytes=0-1' });
  const cases: [string, boolean][] = [
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', false],
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: TE, Close\r\n\r\n', false],
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: closed\r\n\r\n', true],
    ['GET / HTTP/1.0\r\n\r\n', false],
    ['GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n', true],
    ['HEAD / HTTP/1.0\nConnection: keep-alive\n\n', true],
  ];
  for (const [text, keepAlive] of cases) assert.equal(head(text).keepAlive, keepAlive, text);
});

test('repeated fields combine as node:http combines them; one empty line before the request is skipped', () => {
  const h = head('\r\nGET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\naccept: b\r\nUser-Agent: one\r\nUser-Agent: two\r\nCookie: c=1\r\nCookie: d=2\r\nSet-Cookie: s\r\n\r\n');
  assert.equal(h.headers['accept'], 'a, b');
  assert.equal(h.headers['user-agent'], 'one');
  assert.equal(h.headers['cookie'], 'c=1; d=2');
  assert.deepEqual(h.headers['set-cookie'], ['s']);
  assert.equal(Object.getPrototypeOf(head('GET / HTTP/1.1\r\nHost: x\r\n__proto__: y\r\n\r\n').headers), null);
});

test('what goes to node:http: other methods, bodies, Expect, Upgrade', () => {
  const cases: [string, string | undefined][] = [
    ['PUT /f HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', 'method'],
    ['BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n', 'method'],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n', 'body'],
    ['GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 'body'],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', undefined],
    ['GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n', 'expect'],
    ['GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n', 'upgrade'],
    ['GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n', undefined],
    ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', undefined],
  ];
  for (const [text, handOff] of cases) assert.equal(head(text).handOff, handOff, text);
});

test('refusals: 400 for malformed heads, 431 for too large, 505 for other versions', () => {
  const cases: [string, number][] = [
    ['GARBAGE\r\n\r\n', 400],
    ['GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET / HTTP/1.1 \r\nHost: x\r\n\r\n', 400],
    ['G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\n\r\n', 400], // RFC 9112 §3.2: Host is required
    ['GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400], // RFC 9112 §5.1
    ['GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n', 400], // obs-fold
    ['GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400],
    ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
    ['GET / HTTP/0.9\r\nHost: x\r\n\r\n', 505],
    ['GET / HTTPS/1.1\r\nHost: x\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nHost: x\r\n' + 'X-A: 1\r\n'.repeat(100) + '\r\n', 431],
    ['GET /' + 'a'.repeat(16 * 1024) + ' HTTP/1.1\r\nHost: x\r\n\r\n', 431],
  ];
  for (const [text, status] of cases) {
    const r = parse(text);
    assert.equal(r.kind === 'bad' && r.status, status, `${JSON.stringify(text.slice(0, 60))} -> ${JSON.stringify(r).slice(0, 120)}`);
  }
});

test('checkPartialHead: garbage in a head still arriving is refused at once, a good beginning is not', () => {
  const check = (text: string, from = 0): number | undefined => {
    const buf = b(text);
    return checkPartialHead(buf, from, buf.lastIndexOf(10) + 1)?.status;
  };
  assert.equal(check('GET /a.txt HT'), undefined);
  assert.equal(check('GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Ag'), undefined);
  assert.equal(check('\r\nGET / HTTP/1.1\r\n'), undefined);
  assert.equal(check('GET /a.txt HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n'), 400);
  assert.equal(check('GET /a.txt HTTP/1.1\r\nHost: x\r\nX: \x01'), 400);
  assert.equal(check('GET /a.txt HTTP/3.0\r\n'), 505);
  assert.equal(check('GET /a.txt\x00'), 400);
  // Lines before `from` were checked already and are not looked at again.
  assert.equal(check('BAD LINE\r\nHost: x\r\n', 10), undefined);
});

test('requestLineOf: the request line of a refused head as it arrived, for the access log', () => {
  const line = (s: string): string => requestLineOf(Buffer.from(s, 'latin1'));
  assert.equal(line('GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n'), 'GET /a b c HTTP/1.1');
  assert.equal(line('\r\n\nBAD METHOD / HTTP/1.1\nHost: x\n\n'), 'BAD METHOD / HTTP/1.1'); // empty lines first are skipped
  assert.equal(line('GET /unfinished'), 'GET /unfinished'); // a head cut off by a timeout
  assert.equal(line(''), '');
  assert.equal(line('\r\n'), '');
  assert.equal(line('GET /\x85\x00 HTTP/1.1\r\n'), 'GET /\x85\x00 HTTP/1.1'); // bytes kept as latin1; the log escapes them
  assert.equal(line(`GET /${'a'.repeat(20_000)} HTTP/1.1\r\n`).length, 4096); // a 431's huge line is cut
});

test('response heads: the reply fields in order, then Date, Connection and Keep-Alive as node:http writes them', () => {
  const framing = { keepAlive: true, keepAliveSeconds: 5, date: 'Thu, 01 Jan 1970 00:00:00 GMT' };
  assert.equal(
    encodeResponseHead(200, { etag: '"1-2"', 'content-length': '2' }, framing, true),
    'HTTP/1.1 200 OK\r\netag: "1-2"\r\ncontent-length: 2\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n',
  );
  const closing = encodeResponseHead(404, {}, { ...framing, keepAlive: false }, true);
  assert.equal(closing, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nConnection: close\r\n\r\n');
  assert.doesNotMatch(encodeResponseHead(304, { etag: '"x"' }, framing, true), /Content-Length/);
  assert.doesNotMatch(encodeResponseHead(204, { allow: 'GET' }, framing, true), /Content-Length/);
  assert.match(encodeResponseHead(200, { connection: 'close' }, framing, false), /^HTTP\/1\.1 200 OK\r\nconnection: close\r\nDate: [^\r]+\r\n\r\n$/);
  assert.throws(() => encodeResponseHead(301, { location: '/a\r\nSet-Cookie: x' }, framing, true), /may not hold/);
  assert.throws(() => encodeResponseHead(200, { link: '</\u2603>' }, framing, true), /may not hold/);
  assert.equal(encodeRefusal(431), 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
});

test('DateCache: an IMF-fixdate that changes with the second', () => {
  const dates = new DateCache();
  assert.equal(dates.at(784_111_777_000), 'Sun, 06 Nov 1994 08:49:37 GMT'); // RFC 9110 §5.6.7's example
  assert.equal(dates.at(784_111_777_999), 'Sun, 06 Nov 1994 08:49:37 GMT');
  assert.equal(dates.at(784_111_778_000), 'Sun, 06 Nov 1994 08:49:38 GMT');
});

const seeds = [
  'GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nConnection: keep-alive\r\n\r\n',
  'HEAD / HTTP/1.0\r\nAccept: application/json\r\n\r\n',
  'PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n',
  'OPTIONS * HTTP/1.1\nHost: x\n\n',
].map(b);

test('fuzz: mutated heads give a head or a refusal, never an exception; a head always stays within its buffer', () => {
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.uint8Array({ maxLength: 40 }))
    .map(([seed, flips, tail]) => {
      const buf = Buffer.concat([seed, Buffer.from(tail)]);
      for (const [pos, val] of flips) buf[pos % buf.length] = val;
      return buf;
    });
  fc.assert(
    fc.property(mutated, fc.integer({ min: 1, max: 40 }), (bytes, step) => {
      // Fed in pieces, the resumed search finds the same end as one search over the whole buffer.
      let searched = 0;
      let end = -1;
      for (let n = step; end < 0 && n < bytes.length + step; n += step) {
        const part = bytes.subarray(0, Math.min(n, bytes.length));
        end = findHeadEnd(part, searched);
        searched = part.length;
      }
      assert.equal(end, findHeadEnd(bytes, 0));
      if (end < 0) return;
      const r = parseRequestHead(bytes.subarray(0, end), LIMITS);
      // A head the parser accepts is never refused early while it arrives, whatever the pieces.
      for (let n = step; r.kind === 'head' && n < end; n += step) {
        const part = bytes.subarray(0, n);
        assert.equal(checkPartialHead(part, 0, part.lastIndexOf(10) + 1), undefined, JSON.stringify(part.toString('latin1')));
      }
      if (r.kind === 'bad') {
        assert.ok([400, 431, 505].includes(r.status));
        return;
      }
      assert.match(r.head.method, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(r.head.target, /[\x00-\x20\x7f]/);
      for (const [name, value] of Object.entries(r.head.headers)) {
        assert.equal(name, name.toLowerCase());
        // eslint-disable-next-line no-control-regex
        for (const v of Array.isArray(value) ? value : [value!]) assert.doesNotMatch(v, /[\r\n\x00]/);
      }
    }),
    { numRuns: 5000 },
  );
});

test('fuzz: random bytes never throw and never read past the limit', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 16, max: 400 }), (raw, max) => {
      const buf = Buffer.from(raw);
      const end = findHeadEnd(buf, 0);
      if (end < 0) return;
      const r = parseRequestHead(buf.subarray(0, end), { maxHeadBytes: max, maxHeaderCount: 5 });
      if (end > max) assert.ok(r.kind === 'bad' && r.status === 431);
    }),
    { numRuns: 5000 },
  );
});
