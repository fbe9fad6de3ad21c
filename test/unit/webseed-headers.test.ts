import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseContentLength, parseContentRange, parseRetryAfter } from '../../src/webseed/index.js';

describe('webseed header parsers', () => {
  it('reads Content-Range exactly (RFC 9110 §14.4)', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { first: 0, last: 99, complete: 1000 });
    assert.deepEqual(parseContentRange('bytes 5-5/*'), { first: 5, last: 5, complete: undefined });
    for (const bad of [undefined, '', 'bytes */1000', 'bytes 9-1/100', 'bytes 0-100/100', 'items 0-1/2', 'bytes 0-1/2, 4-5/6', 'bytes -1-2/3', 'bytes 0-1234567890123456/9999999999999999', 'bytes 0x1-2/3', 'bytes 1-2/3 trailing']) {
      assert.equal(parseContentRange(bad), undefined, String(bad));
    }
  });

  it('reads Content-Length as one decimal number', () => {
    assert.equal(parseContentLength(undefined), undefined);
    assert.equal(parseContentLength('42'), 42);
    assert.ok(Number.isNaN(parseContentLength('4 2')));
    assert.ok(Number.isNaN(parseContentLength('-1')));
    assert.ok(Number.isNaN(parseContentLength('1e3')));
  });

  it('reads Retry-After as seconds or an HTTP-date, clamped (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
    assert.equal(parseRetryAfter('120', now, 3_600_000), 120_000);
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:50:37 GMT', now, 3_600_000), 60_000);
    assert.equal(parseRetryAfter('Sun, 06 Nov 1994 08:40:00 GMT', now, 3_600_000), 0, 'a past date is now');
    assert.equal(parseRetryAfter('9999999999', now, 3_600_000), 3_600_000, 'a day-long wait is cut to the cap');
    assert.equal(parseRetryAfter('soon', now, 3_600_000), undefined);
    assert.equal(parseRetryAfter('Dec 31 2099', now, 3_600_000), undefined, 'not an HTTP-date (RFC 9110 §5.6.7)');
    assert.equal(parseRetryAfter('-5', now, 3_600_000), undefined);
    assert.equal(parseRetryAfter(undefined, now, 3_600_000), undefined);
  });

  it('fuzz: arbitrary strings never throw, and every accepted Content-Range is consistent', () => {
    const near = fc.oneof(
      fc.string(),
      fc.tuple(fc.nat(), fc.nat(), fc.oneof(fc.nat().map(String), fc.constant('*'))).map(([a, b, c]) => `bytes ${a}-${b}/${c}`),
      fc.string().map((s) => 'bytes ' + s),
    );
    fc.assert(
      fc.property(near, (s) => {
        const cr = parseContentRange(s);
        if (cr) {
          assert.ok(Number.isSafeInteger(cr.first) && Number.isSafeInteger(cr.last) && cr.first <= cr.last);
          if (cr.complete !== undefined) assert.ok(cr.last < cr.complete);
        }
        const cl = parseContentLength(s);
        assert.ok(cl === undefined || Number.isNaN(cl) || Number.isSafeInteger(cl));
        const ra = parseRetryAfter(s, 0, 1000);
        assert.ok(ra === undefined || (ra >= 0 && ra <= 1000));
      }),
      { numRuns: 2000 },
    );
  });
});
