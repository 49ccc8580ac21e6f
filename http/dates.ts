/**
 * Owns HTTP-date parsing and formatting (RFC 9110 §5.6.7): the preferred
 * IMF-fixdate plus the two obsolete forms a recipient must accept.
 *
 * Must not read the clock: callers pass the time they mean.
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** The month names HTTP-dates and log times use. */
export const MONTH_NAMES: readonly string[] = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// Sun Nov  6 08:49:37 1994
const ASCTIME_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses an HTTP-date into milliseconds since the epoch, or undefined when
 * the value is not a valid HTTP-date (the caller decides what that means).
 * A two-digit RFC 850 year more than 50 years ahead of `now` is taken as
 * the previous century (RFC 9110 §5.6.7); `now` defaults to year 2000.
 */
export function parseHttpDate(
  value: string,
  now = 946684800000,
): number | undefined {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return build(m[4]!, m[3]!, m[2]!, m[5]!, m[6]!, m[7]!);
  m = RFC850_DATE.exec(text);
  if (m) {
    return build(twoDigitYear(m[3]!, now), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return build(m[6]!, m[1]!, m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  return undefined;
}

/**
 * The year of an RFC 850 two-digit year: the one within 50 years of `now`,
 * the past one when a reading is more than 50 years ahead (RFC 9110 §5.6.7).
 */
function twoDigitYear(yy: string, now: number): string {
  const nowYear = new Date(now).getUTCFullYear();
  let year = Math.floor(nowYear / 100) * 100 + Number(yy);
  if (year > nowYear + 50) year -= 100; // RFC 9110 §5.6.7
  else if (year + 100 <= nowYear + 50) year += 100; // the nearer future reading
  return String(year);
}

function build(
  year: string,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
): number | undefined {
  const mon = MONTH_NAMES.indexOf(month);
  if (mon === -1) return undefined;
  const y = Number(year);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as written.
  const ms = new Date(0).setUTCFullYear(y, mon, d) +
    ((h * 60 + mi) * 60 + Math.min(s, 59)) * 1000;
  // Reject dates like 31 Feb that would roll over into the next month.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
}

let cachedSecond = -1;
let cachedText = "";

/** Formats milliseconds since the epoch as an IMF-fixdate. */
export function formatHttpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === cachedSecond) return cachedText;
  const d = new Date(second * 1000);
  const text = `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${
    MONTH_NAMES[d.getUTCMonth()]
  } ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${
    pad2(d.getUTCSeconds())
  } GMT`;
  cachedSecond = second;
  cachedText = text;
  return text;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
