import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeResponse, parseRequestHead } from '../../src/tracker/server/http-wire.js';

const head = (text: string): Buffer => Buffer.from(text, 'latin1');

test('a GET head is read with its keep-alive decision (RFC 9112 §9.3)', () => {
  const r = parseRequestHead(head('GET /announce?x=1 HTTP/1.1\r\nHost: t\r\n\r\nGET /next'), 8192);
  assert.equal(r.kind, 'head');
  if (r.kind !== 'head') return;
  assert.deepEqual([r.head.method, r.head.target, r.head.keepAlive, r.head.hasBody], ['GET', '/announce?x=1', true, false]);
  assert.equal(r.head.headBytes, 'GET /announce?x=1 HTTP/1.1\r\nHost: t\r\n\r\n'.length);
  const close = parseRequestHead(head('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), 8192);
  assert.equal(close.kind === 'head' && close.head.keepAlive, false);
  const old = parseRequestHead(head('GET / HTTP/1.0\r\n\r\n'), 8192);
  assert.equal(old.kind === 'head' && old.head.keepAlive, false);
  const oldKa = parseRequestHead(head('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n'), 8192);
  assert.equal(oldKa.kind === 'head' && oldKa.head.keepAlive, true);
});

test('a body, a bad line, an oversized head and HTTP/2 are refused', () => {
  const body = parseRequestHead(head('POST /announce HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello'), 8192);
  assert.ok(body.kind === 'head' && body.head.hasBody && !body.head.keepAlive);
  assert.deepEqual(parseRequestHead(head('GARBAGE\r\n\r\n'), 8192), { kind: 'bad', status: 400, reason: 'malformed request line' });
  assert.equal(parseRequestHead(head('GET / HTTP/2.0\r\n\r\n'), 8192).kind === 'bad' && (parseRequestHead(head('GET / HTTP/2.0\r\n\r\n'), 8192) as { status: number }).status, 505);
  assert.deepEqual(parseRequestHead(head('GET / HTTP/1.1\r\nno colon\r\n\r\n'), 8192).kind, 'bad');
  assert.deepEqual(parseRequestHead(head('GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n'), 8192).kind, 'bad');
  assert.deepEqual(parseRequestHead(Buffer.alloc(9000, 0x41), 8192), { kind: 'bad', status: 431, reason: 'request head too large' });
  assert.deepEqual(parseRequestHead(head('GET / HTTP/1.1\r\nHost: x'), 8192), { kind: 'incomplete' });
});

test('responses carry a length and the connection decision', () => {
  const r = encodeResponse(200, 'text/plain', Buffer.from('d1:ai1ee'), true).toString('latin1');
  assert.equal(r, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nConnection: keep-alive\r\n\r\nd1:ai1ee');
  assert.match(encodeResponse(404, 'text/plain', Buffer.alloc(3), false, true).toString('latin1'), /^HTTP\/1\.1 404 Not Found\r\n.*Content-Length: 3\r\nConnection: close\r\n\r\n$/s);
});

test('fuzz: any bytes give a head, a refusal or "incomplete", never an exception', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 }).map((s) => `GET ${s} HTTP/1.1\r\n${s}\r\n\r\n`)), (input) => {
      const r = parseRequestHead(typeof input === 'string' ? Buffer.from(input, 'latin1') : Buffer.from(input), 256);
      assert.ok(['head', 'bad', 'incomplete'].includes(r.kind));
    }),
    { numRuns: 3000 },
  );
});
