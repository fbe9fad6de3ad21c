import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coalesce, decideRange, parseRangeHeader, planMultipart } from '../../src/http/range.js';
import { evaluatePreconditions, ifRangeAllows, makeEtag, parseEtagList } from '../../src/http/conditional.js';

test('Range: single, open-ended, suffix and clipped ranges (RFC 9110 §14.1.2)', () => {
  const cases: [string, number, unknown][] = [
    ['bytes=0-99', 1000, { kind: 'partial', ranges: [{ start: 0, end: 99 }] }],
    ['bytes=500-', 1000, { kind: 'partial', ranges: [{ start: 500, end: 999 }] }],
    ['bytes=-100', 1000, { kind: 'partial', ranges: [{ start: 900, end: 999 }] }],
    ['bytes=-5000', 1000, { kind: 'partial', ranges: [{ start: 0, end: 999 }] }],
    ['bytes=990-5000', 1000, { kind: 'partial', ranges: [{ start: 990, end: 999 }] }],
    ['bytes=0-0,-1', 1000, { kind: 'partial', ranges: [{ start: 0, end: 0 }, { start: 999, end: 999 }] }],
    ['BYTES = 1-2', 10, { kind: 'partial', ranges: [{ start: 1, end: 2 }] }],
    ['bytes=1000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=-0', 1000, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=2000-3000,4000-', 1000, { kind: 'unsatisfiable' }],
    ['bytes=5-1', 1000, { kind: 'full' }], // invalid spec: the header is ignored
    ['items=0-1', 1000, { kind: 'full' }],
    ['bytes=abc', 1000, { kind: 'full' }],
    ['bytes=', 1000, { kind: 'full' }],
  ];
  for (const [header, size, want] of cases) assert.deepEqual(decideRange(header, size), want, header);
  assert.deepEqual(decideRange(undefined, 10), { kind: 'full' });
});

test('Range: too many parts are ignored, overlapping parts that amplify are coalesced', () => {
  const many = 'bytes=' + Array.from({ length: 65 }, (_, i) => `${i}-${i}`).join(',');
  assert.deepEqual(decideRange(many, 1000), { kind: 'full' });
  const overlapping = decideRange('bytes=0-,0-,0-', 100);
  assert.deepEqual(overlapping, { kind: 'partial', ranges: [{ start: 0, end: 99 }] });
  assert.deepEqual(coalesce([{ start: 10, end: 20 }, { start: 0, end: 5 }, { start: 6, end: 8 }]), [{ start: 0, end: 8 }, { start: 10, end: 20 }]);
});

test('Range: every satisfiable range stays inside the file, whatever the header', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), fc.nat({ max: 1e9 }), (tail, size) => {
      const d = decideRange('bytes=' + tail, size);
      if (d.kind !== 'partial') return;
      for (const r of d.ranges) assert.ok(r.start >= 0 && r.start <= r.end && r.end < size);
    }),
  );
  assert.equal(parseRangeHeader('bytes=' + '1-2,'.repeat(2000)), undefined); // over the header length cap
});

test('multipart/byteranges: Content-Length equals the bytes the framing sends', () => {
  const plan = planMultipart([{ start: 0, end: 3 }, { start: 10, end: 12 }], 20, 'text/plain', 'BOUNDARY');
  const body = Buffer.concat([plan.parts[0]!.head, Buffer.alloc(4), plan.parts[1]!.head, Buffer.alloc(3), plan.tail]);
  assert.equal(plan.totalBytes, body.length);
  assert.equal(plan.contentType, 'multipart/byteranges; boundary=BOUNDARY');
  assert.match(plan.parts[1]!.head.toString(), /^\r\n--BOUNDARY\r\nContent-Type: text\/plain\r\nContent-Range: bytes 10-12\/20\r\n\r\n$/);
  assert.equal(plan.tail.toString(), '\r\n--BOUNDARY--\r\n');
});

test('preconditions follow RFC 9110 §13.2.2 order', () => {
  const v = { etag: makeEtag(10, 1_700_000_000_000), mtimeSeconds: 1_700_000_000 };
  const past = new Date((v.mtimeSeconds - 10) * 1000).toUTCString();
  const same = new Date(v.mtimeSeconds * 1000).toUTCString();
  assert.equal(evaluatePreconditions({ ifNoneMatch: v.etag }, v, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifNoneMatch: `W/${v.etag}` }, v, true), 'not-modified'); // weak comparison
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"other", ' + v.etag }, v, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"other"' }, v, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifNoneMatch: '*' }, v, false), 'failed');
  assert.equal(evaluatePreconditions({ ifModifiedSince: same }, v, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifModifiedSince: past }, v, true), 'proceed');
  // If-None-Match wins over If-Modified-Since (§13.1.3).
  assert.equal(evaluatePreconditions({ ifNoneMatch: '"other"', ifModifiedSince: same }, v, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifMatch: '"other"' }, v, true), 'failed');
  assert.equal(evaluatePreconditions({ ifMatch: `W/${v.etag}` }, v, true), 'failed'); // If-Match is strong
  assert.equal(evaluatePreconditions({ ifMatch: v.etag }, v, true), 'proceed');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: past }, v, true), 'failed');
  assert.equal(evaluatePreconditions({ ifModifiedSince: 'not a date' }, v, true), 'proceed');
});

test('If-Range: strong ETag or exact date, else the whole file', () => {
  const v = { etag: '"abc-1"', mtimeSeconds: 1_700_000_000 };
  assert.equal(ifRangeAllows(undefined, v), true);
  assert.equal(ifRangeAllows('"abc-1"', v), true);
  assert.equal(ifRangeAllows('W/"abc-1"', v), false);
  assert.equal(ifRangeAllows('"abc-2"', v), false);
  assert.equal(ifRangeAllows(new Date(v.mtimeSeconds * 1000).toUTCString(), v), true);
  assert.equal(ifRangeAllows(new Date((v.mtimeSeconds + 1) * 1000).toUTCString(), v), false);
  assert.deepEqual(parseEtagList(' "a" , W/"b",garbage'), ['"a"', 'W/"b"']);
});
