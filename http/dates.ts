/**
 * Owns HTTP-date parsing and formatting (RFC 9110 §5.6.7): the preferred
 * IMF-fixdate plus the two obsolete forms a recipient must accept, read
 * strictly (parseHttpDate: HTTP-date is case-sensitive) or leniently
 * (parseHttpDateLenient: what a cache receives, RFC 9111 §4.2).
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

/** The three HTTP-date forms (RFC 9110 §5.6.7) as regular expressions. */
interface DateForms {
  imf: RegExp;
  rfc850: RegExp;
  asctime: RegExp;
}

// Sun, 06 Nov 1994 08:49:37 GMT
const IMF = "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ([A-Za-z]{3}) (\\d{4}) " +
  "(\\d{2}):(\\d{2}):(\\d{2}) GMT$";
// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850 =
  "^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), " +
  "(\\d{2})-([A-Za-z]{3})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$";
// Sun Nov  6 08:49:37 1994
const ASCTIME = "^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) ([ \\d]\\d) " +
  "(\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$";

/** RFC 9110 §5.6.7: day names, month names and GMT are case-sensitive. */
const STRICT: DateForms = {
  imf: new RegExp(IMF),
  rfc850: new RegExp(RFC850),
  asctime: new RegExp(ASCTIME),
};
/** RFC 9111 §4.2: the same forms with names and GMT in any letter case. */
const LENIENT: DateForms = {
  imf: new RegExp(IMF, "i"),
  rfc850: new RegExp(RFC850, "i"),
  asctime: new RegExp(ASCTIME, "i"),
};

const MONTHS_STRICT = new Map(MONTH_NAMES.map((name, i) => [name, i]));
const MONTHS_LENIENT = new Map(
  MONTH_NAMES.map((name, i) => [name.toLowerCase(), i]),
);

/**
 * Parses an HTTP-date into milliseconds since the epoch, or undefined when
 * the value is not a valid HTTP-date (the caller decides what that means).
 * Strict: names and "GMT" in the exact case the grammar gives (RFC 9110
 * §5.6.7). A two-digit RFC 850 year more than 50 years ahead of `now` is
 * the most recent past year with those digits (RFC 9110 §5.6.7); `now`
 * defaults to 2000-01-01.
 */
export function parseHttpDate(
  value: string,
  now = 946684800000,
): number | undefined {
  return parseForms(value, now, STRICT, (m) => MONTHS_STRICT.get(m));
}

/**
 * Like parseHttpDate, but with day names, month names and "GMT" in any
 * letter case: a cache is lenient with the dates it receives (RFC 9111
 * §4.2, "a cache recipient SHOULD ... be lenient"). Anything else that is
 * not one of the three forms is still undefined (an invalid Expires means
 * stale, RFC 9111 §5.3). `now` (ms) places two-digit RFC 850 years
 * (RFC 9110 §5.6.7).
 */
export function parseHttpDateLenient(
  value: string,
  now: number,
): number | undefined {
  return parseForms(
    value,
    now,
    LENIENT,
    (m) => MONTHS_LENIENT.get(m.toLowerCase()),
  );
}

function parseForms(
  value: string,
  now: number,
  forms: DateForms,
  month: (name: string) => number | undefined,
): number | undefined {
  const text = value.trim();
  let m = forms.imf.exec(text);
  if (m) return build(+m[4]!, month(m[3]!), m[2]!, m[5]!, m[6]!, m[7]!);
  m = forms.rfc850.exec(text);
  if (m) return rfc850(+m[3]!, month(m[2]!), m[1]!, m[4]!, m[5]!, m[6]!, now);
  m = forms.asctime.exec(text);
  if (m) {
    return build(+m[6]!, month(m[1]!), m[2]!.trim(), m[3]!, m[4]!, m[5]!);
  }
  return undefined;
}

/**
 * An RFC 850 date with a two-digit year: read in the century of `now`; a
 * reading more than 50 years after `now` means the most recent past year
 * with those digits (RFC 9110 §5.6.7, a MUST); a reading 50 or more years
 * in the past whose next-century reading is not more than 50 years ahead
 * takes that nearer reading.
 */
function rfc850(
  yy: number,
  month: number | undefined,
  day: string,
  hour: string,
  minute: string,
  second: string,
  now: number,
): number | undefined {
  const nowDate = new Date(now);
  const limit = new Date(now).setUTCFullYear(nowDate.getUTCFullYear() + 50);
  const century = Math.floor(nowDate.getUTCFullYear() / 100) * 100;
  const at = (year: number) => build(year, month, day, hour, minute, second);
  const reading = at(century + yy);
  if (reading !== undefined && reading > limit) return at(century + yy - 100); // RFC 9110 §5.6.7
  const next = at(century + yy + 100);
  if (next !== undefined && next <= limit) return next; // the nearer reading
  return reading;
}

function build(
  y: number,
  mon: number | undefined,
  day: string,
  hour: string,
  minute: string,
  second: string,
): number | undefined {
  if (mon === undefined) return undefined;
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
