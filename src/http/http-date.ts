/**
 * HTTP-date, RFC 9110 §5.6.7: the three forms a recipient MUST accept, and nothing else. Pure: a string in, whole
 * seconds since the epoch out, or undefined when the text is not an HTTP-date, which a conditional request then
 * ignores (§13.1.3, §13.1.4, §13.1.5). `Date.parse` is no substitute: it reads `3000` and `12/31/2099` as dates.
 *
 * @example
 *   parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT');  // 784111777 (IMF-fixdate, what senders MUST send)
 *   parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'); // 784111777 (rfc850-date, obsolete)
 *   parseHttpDate('Sun Nov  6 08:49:37 1994');       // 784111777 (asctime-date, obsolete)
 */

// Names are case-sensitive (§5.6.7 spells them with %s"..."). The weekday is not checked against the date: the
// grammar does not tie them, and a recipient gains nothing by refusing a date over its weekday.
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d\\d):(\\d\\d):(\\d\\d)';

/** `Sun, 06 Nov 1994 08:49:37 GMT`: day-name "," SP day SP month SP year SP time-of-day SP "GMT". */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT`: day-name-l "," SP day "-" month "-" 2DIGIT SP time-of-day SP "GMT". */
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994`: day-name SP month SP (2DIGIT / SP DIGIT) SP time-of-day SP year. */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (\\d\\d| \\d) ${TIME} (\\d{4})$`);

/** The longest HTTP-date is an rfc850-date on a Wednesday (33 characters); anything longer is not one. */
const MAX_CHARS = 33;

/**
 * Whole seconds since the epoch for an HTTP-date in any of its three forms, or undefined. `nowMs` is read only for
 * an rfc850-date's two-digit year (the current clock when absent), which §5.6.7 places no more than 50 years ahead.
 */
export function parseHttpDate(value: string | undefined, nowMs?: number): number | undefined {
  if (value === undefined || value.length > MAX_CHARS) return undefined;
  let m = IMF_FIXDATE.exec(value);
  if (m) return toSeconds(Number(m[3]), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(value);
  if (m) return toSeconds(Number(m[6]), m[1]!, m[2]!, m[3]!, m[4]!, m[5]!);
  m = RFC850_DATE.exec(value);
  if (m) return toSeconds(fullYear(Number(m[3]), nowMs ?? Date.now()), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  return undefined;
}

/**
 * §5.6.7: a two-digit year that would put the date more than 50 years in the future means the most recent past
 * year with those digits. Counted in years, so the date falls within (now - 50 years, now + 50 years].
 */
function fullYear(twoDigits: number, nowMs: number): number {
  const now = new Date(nowMs).getUTCFullYear();
  let year = now - (now % 100) + twoDigits;
  if (year > now + 50) year -= 100;
  else if (year <= now - 50) year += 100;
  return year;
}

/** Checks each field's range (a day that exists in its month, hours to 23, seconds to 60 for a leap second). */
function toSeconds(year: number, monthName: string, dayText: string, hourText: string, minuteText: string, secondText: string): number | undefined {
  const month = MONTHS.indexOf(monthName);
  const day = Number(dayText.trim());
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return undefined;
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999. A leap second rolls into the next
  // minute, one second later than the instant it names; HTTP dates carry nothing finer anyway.
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime() / 1000;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return leap ? 29 : 28;
}
