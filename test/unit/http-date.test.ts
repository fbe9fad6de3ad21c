// HTTP-date (RFC 9110 §5.6.7): the three forms a recipient must accept, and nothing that only looks like a date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHttpDate } from '../../src/http/http-date.js';
import { evaluatePreconditions, ifRangeAllows } from '../../src/http/conditional.js';

const T = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example
const NOW_2026 = Date.UTC(2026, 5, 1);

test('HTTP-date: IMF-fixdate, rfc850-date and asctime-date of one instant, and the edges of each field', () => {
  const valid: [string, number][] = [
    ['Sun, 06 Nov 1994 08:49:37 GMT', T],
    ['Sunday, 06-Nov-94 08:49:37 GMT', T],
    ['Sun Nov  6 08:49:37 1994', T],
    ['Sun Nov 06 08:49:37 1994', T], // date3 allows 2DIGIT too
    ['Thu, 01 Jan 1970 00:00:00 GMT', 0],
    ['Wed, 31 Dec 1969 23:59:59 GMT', -1],
    ['Fri, 31 Dec 9999 23:59:59 GMT', 253_402_300_799],
    ['Sat, 01 Jan 0000 00:00:00 GMT', -62_167_219_200], // not read as 1900
    ['Tue, 29 Feb 2000 12:00:00 GMT', 951_825_600], // 2000 is a leap year
    ['Sat, 31 Dec 2016 23:59:60 GMT', 1_483_228_800], // a leap second: the next minute
    ['Mon, 06 Nov 1994 08:49:37 GMT', T], // a wrong weekday is not checked
    ['Wednesday, 09-Nov-94 08:49:37 GMT', T + 3 * 86_400],
  ];
  for (const [text, seconds] of valid) assert.equal(parseHttpDate(text, NOW_2026), seconds, text);
});

test('HTTP-date: what Date.parse accepts but is not an HTTP-date is refused', () => {
  const invalid = [
    '3000', '12/31/2099', '2099-12-31', '2099-12-31T00:00:00Z', '0', '-1', '', ' ', 'now', 'Infinity',
    'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 06 Nov 1994 08:49:37 gmt', 'Sun, 06 Nov 1994 08:49:37 +0000', 'Sun, 06 Nov 1994 08:49:37',
    'sun, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 nov 1994 08:49:37 GMT', 'Sunday, 06 Nov 1994 08:49:37 GMT', 'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun,  06 Nov 1994 08:49:37 GMT', ' Sun, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT ', 'Sun, 06 Nov 94 08:49:37 GMT',
    'Sun, 06 Nov 1994 8:49:37 GMT', 'Sun, 06 Nov 1994 08:49 GMT', 'Sun, 06 Nov 11994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT',
    'Sun, 00 Nov 1994 08:49:37 GMT', 'Sun, 31 Nov 1994 08:49:37 GMT', 'Thu, 29 Feb 1900 00:00:00 GMT', 'Sun, 06 Nov 1994 24:00:00 GMT',
    'Sun, 06 Nov 1994 08:60:00 GMT', 'Sun, 06 Nov 1994 08:49:61 GMT', 'Sun, 06 Xyz 1994 08:49:37 GMT', 'Sun, ０６ Nov 1994 08:49:37 GMT',
    'Sun, 06-Nov-94 08:49:37 GMT', 'Sunday, 06-Nov-1994 08:49:37 GMT', 'Sunday, 6-Nov-94 08:49:37 GMT', 'Sunday, 06-Nov-94 08:49:37',
    'Sun Nov 6 08:49:37 1994', 'Sun Nov  6 08:49:37 94', 'Sun Nov  6 08:49:37 1994 GMT', 'Sun, Nov  6 08:49:37 1994',
  ];
  for (const text of invalid) assert.equal(parseHttpDate(text, NOW_2026), undefined, JSON.stringify(text));
  assert.equal(parseHttpDate(undefined), undefined);
});

test('HTTP-date: a two-digit rfc850 year is never more than 50 years ahead (RFC 9110 §5.6.7)', () => {
  const year = (yy: string, nowMs: number): number => new Date(parseHttpDate(`Monday, 01-Jan-${yy} 00:00:00 GMT`, nowMs)! * 1000).getUTCFullYear();
  assert.equal(year('94', NOW_2026), 1994);
  assert.equal(year('26', NOW_2026), 2026);
  assert.equal(year('76', NOW_2026), 2076); // 50 years ahead: still ahead
  assert.equal(year('77', NOW_2026), 1977); // 51: the most recent past year with those digits
  assert.equal(year('00', NOW_2026), 2000);
  assert.equal(year('10', Date.UTC(2095, 0, 1)), 2110);
  assert.equal(year('45', Date.UTC(2095, 0, 1)), 2145);
  assert.equal(year('46', Date.UTC(2095, 0, 1)), 2046);
});

test('conditional requests ignore a date that is not an HTTP-date (RFC 9110 §13.1.3, §13.1.4, §13.1.5)', () => {
  const v = { etag: '"a-1"', mtimeSeconds: T };
  for (const bad of ['3000', '12/31/2099', '2099-12-31']) {
    assert.equal(evaluatePreconditions({ ifModifiedSince: bad }, v, true), 'proceed', bad);
    assert.equal(evaluatePreconditions({ ifUnmodifiedSince: bad }, v, true), 'proceed', bad);
    assert.equal(ifRangeAllows(bad, v), false, bad); // an If-Range that cannot match sends the whole file
  }
  assert.equal(evaluatePreconditions({ ifModifiedSince: 'Sunday, 06-Nov-94 08:49:37 GMT' }, v, true), 'not-modified');
  assert.equal(evaluatePreconditions({ ifUnmodifiedSince: 'Sun Nov  6 08:49:36 1994' }, v, true), 'failed');
  assert.equal(ifRangeAllows('Sun Nov  6 08:49:37 1994', v), true);
});

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const clock = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** The three forms of one instant, written here independently of the parser. */
function forms(seconds: number): { imf: string; rfc850: string; asctime: string } {
  const d = new Date(seconds * 1000);
  const day = d.getUTCDate();
  const month = MONTHS[d.getUTCMonth()]!;
  const year = d.getUTCFullYear();
  return {
    imf: `${DAYS[d.getUTCDay()]}, ${pad(day)} ${month} ${pad(year, 4)} ${clock(d)} GMT`,
    rfc850: `${LONG_DAYS[d.getUTCDay()]}, ${pad(day)}-${month}-${pad(year % 100)} ${clock(d)} GMT`,
    asctime: `${DAYS[d.getUTCDay()]} ${month} ${String(day).padStart(2, ' ')} ${clock(d)} ${pad(year, 4)}`,
  };
}

const MIN_SECONDS = -62_167_219_200; // 0000-01-01
const MAX_SECONDS = 253_402_300_799; // 9999-12-31 23:59:59

test('fuzz: every instant from year 0 to 9999 reads back from each of its forms', () => {
  fc.assert(
    fc.property(fc.integer({ min: MIN_SECONDS, max: MAX_SECONDS }), (seconds) => {
      const f = forms(seconds);
      assert.equal(parseHttpDate(f.imf), seconds, f.imf);
      assert.equal(parseHttpDate(f.asctime), seconds, f.asctime);
      // An rfc850 date read with a clock in its own year lands on it.
      const year = new Date(seconds * 1000).getUTCFullYear();
      if (year >= 1000) assert.equal(parseHttpDate(f.rfc850, Date.UTC(year, 0, 1)), seconds, f.rfc850);
    }),
    { numRuns: 3000 },
  );
});

test('fuzz: mutated dates and random text never throw, and what is accepted is an exact date of the same form', () => {
  const mutated = fc
    .tuple(fc.integer({ min: MIN_SECONDS, max: MAX_SECONDS }), fc.constantFrom('imf', 'rfc850', 'asctime') as fc.Arbitrary<'imf' | 'rfc850' | 'asctime'>, fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 2 })), { maxLength: 3 }))
    .map(([seconds, form, edits]) => {
      let s = forms(seconds)[form];
      for (const [at, text] of edits) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + text + s.slice(i + (text.length % 2)); // inserts, replaces and deletes
      }
      return s;
    });
  fc.assert(
    fc.property(fc.oneof(mutated, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
      const seconds = parseHttpDate(text, NOW_2026);
      if (seconds === undefined) return;
      assert.ok(Number.isInteger(seconds) && seconds >= MIN_SECONDS - 86_400 * 366 && seconds <= MAX_SECONDS + 1, `${text} -> ${seconds}`);
      // Accepted text is the canonical form of the instant it names, but for the weekday, which is not checked,
      // a leap second (:60), and rfc850's two-digit year.
      const f = forms(seconds);
      const noWeekday = (s: string): string => s.replace(/^[A-Za-z]+/, '');
      const leap = /:60[ ]/.test(text);
      assert.ok(leap || [f.imf, f.asctime, f.rfc850, f.asctime.replace(/ ( \d) /, (_m, d: string) => ` 0${d.trim()} `)].map(noWeekday).includes(noWeekday(text)), `${text} -> ${f.imf}`);
    }),
    { numRuns: 5000 },
  );
});
