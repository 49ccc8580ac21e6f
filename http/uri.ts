/**
 * Owns the URI syntax HTTP relies on (RFC 3986, as RFC 9110 §4 uses it):
 * an authority split into host and port, a URI reference split into its
 * five components, and a reference resolved against a base URI. Nothing
 * here normalises a path or a query: they are kept byte for byte, only
 * dot segments are removed where resolving a reference says so
 * (RFC 3986 §5.2.4).
 *
 * Must not know about routing or caching.
 */

/** A host and port; an IPv6 literal's host is given without its brackets. */
export interface HostPort {
  host: string;
  port: number;
}

/** RFC 3986 §3.2: IP-literal (IPv6 only) or reg-name, then an optional port. */
const AUTHORITY =
  /^(\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::(\d{0,5}))?$/;
/** RFC 3986 Appendix B: the five components of any URI reference. */
const REFERENCE =
  /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
/** RFC 3986 §3.1: what a scheme may hold (anything else makes a relative path). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** RFC 3986 §3.2.2: dec-octet "." dec-octet "." dec-octet "." dec-octet. */
const IPV4 =
  /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 3986 §3.2.2: h16, one to four hex digits. */
const H16 = /^[0-9A-Fa-f]{1,4}$/;

/**
 * Parses `host[:port]` (RFC 3986 §3.2.2-§3.2.3; an IPv6 literal in
 * brackets). An absent or empty port is `defaultPort`. Returns undefined
 * for userinfo, an empty host, characters a host cannot hold, a bad
 * percent-encoding, an IP literal that is not an IPv6 address (IPvFuture
 * and zone identifiers included: nothing could connect to them), or a
 * port outside 1..65535 (or absent without a default).
 */
export function parseAuthority(
  text: string,
  defaultPort: number | undefined,
): HostPort | undefined {
  const m = AUTHORITY.exec(text);
  if (!m) return undefined;
  const port = m[2] === undefined || m[2] === "" ? defaultPort : Number(m[2]);
  if (port === undefined || port < 1 || port > 65535) return undefined;
  const literal = m[1]!.startsWith("[");
  const host = literal ? m[1]!.slice(1, -1) : m[1]!;
  if (literal && !isIPv6Address(host)) return undefined; // RFC 3986 §3.2.2
  return { host, port };
}

/**
 * True when `text` is an IPv6address of RFC 3986 §3.2.2: eight h16
 * groups, or fewer with one "::" standing for the missing ones, the last
 * two groups possibly written as an IPv4 address.
 */
export function isIPv6Address(text: string): boolean {
  let groups = text;
  const lastColon = text.lastIndexOf(":");
  if (lastColon === -1) return false;
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!IPV4.test(tail)) return false;
    groups = `${text.slice(0, lastColon + 1)}0:0`; // ls32 as two groups
  }
  const halves = groups.split("::");
  if (halves.length > 2) return false;
  const parts = halves.flatMap((half) => half === "" ? [] : half.split(":"));
  if (!parts.every((group) => H16.test(group))) return false;
  return halves.length === 2 ? parts.length <= 7 : parts.length === 8;
}

/**
 * The components of a URI reference (RFC 3986 §3). `scheme`, `authority`,
 * `query` and `fragment` are undefined when absent (an empty query "?"
 * is "", not undefined); `path` is always there, maybe empty.
 */
export interface UriReference {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

/** Splits a URI reference into its components (RFC 3986 Appendix B); never fails. */
export function parseUriReference(text: string): UriReference {
  const m = REFERENCE.exec(text)!;
  const scheme = m[1] !== undefined && SCHEME.test(m[1]) ? m[1] : undefined;
  if (m[1] !== undefined && scheme === undefined) {
    return { path: text.replace(/[?#].*$/s, ""), ...rest(m) }; // "a b:c" is a path
  }
  return { scheme, authority: m[2], path: m[3]!, ...rest(m) };
}

function rest(m: RegExpExecArray): Pick<UriReference, "query" | "fragment"> {
  return { query: m[4], fragment: m[5] };
}

/**
 * Resolves a reference against a base URI that has a scheme (RFC 3986
 * §5.2.2, strict). The fragment of the result is the reference's.
 */
export function resolveReference(
  base: UriReference,
  ref: UriReference,
): UriReference {
  if (ref.scheme !== undefined) {
    return { ...ref, path: removeDotSegments(ref.path) };
  }
  const out = { scheme: base.scheme, fragment: ref.fragment };
  if (ref.authority !== undefined) {
    return {
      ...out,
      authority: ref.authority,
      path: removeDotSegments(ref.path),
      query: ref.query,
    };
  }
  if (ref.path === "") {
    return {
      ...out,
      authority: base.authority,
      path: base.path,
      query: ref.query ?? base.query,
    };
  }
  const path = ref.path.startsWith("/")
    ? removeDotSegments(ref.path)
    : removeDotSegments(merge(base, ref.path));
  return { ...out, authority: base.authority, path, query: ref.query };
}

/** RFC 3986 §5.2.3: a relative path appended to the base path's directory. */
function merge(base: UriReference, path: string): string {
  if (base.authority !== undefined && base.path === "") return `/${path}`;
  return base.path.slice(0, base.path.lastIndexOf("/") + 1) + path;
}

/** RFC 3986 §5.2.4: removes "." and ".." segments. */
export function removeDotSegments(path: string): string {
  let input = path;
  let output = "";
  while (input !== "") {
    if (input.startsWith("../")) input = input.slice(3);
    else if (input.startsWith("./")) input = input.slice(2);
    else if (input.startsWith("/./")) input = input.slice(2);
    else if (input === "/.") input = "/";
    else if (input.startsWith("/../") || input === "/..") {
      input = `/${input.slice(input === "/.." ? 3 : 4)}`;
      output = output.slice(0, Math.max(0, output.lastIndexOf("/")));
    } else if (input === "." || input === "..") input = "";
    else {
      const next = input.indexOf("/", 1);
      const segment = next === -1 ? input : input.slice(0, next);
      output += segment;
      input = input.slice(segment.length);
    }
  }
  return output;
}
