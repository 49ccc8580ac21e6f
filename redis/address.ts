/**
 * Owns the `--store redis://HOST:PORT[/DB]` address: parsing it, strictly
 * (a wrong address is a configuration error, said at once).
 *
 * Must not open connections (redis/client.ts does).
 */

/** Where a Redis server is: host name or address, TCP port, database number. */
export interface RedisAddress {
  host: string;
  port: number;
  /** The database number (SELECT), 0 by default. */
  db: number;
}

/** The port of `redis://HOST` without one (Redis's own default). */
const DEFAULT_PORT = 6379;

/**
 * Parses `redis://HOST[:PORT][/DB]` (an IPv6 host in brackets). Throws a
 * TypeError "Cannot use Redis address X: reason" for another scheme, a
 * user or password, a query, a port or database that is not a number in
 * range.
 */
export function parseRedisAddress(text: string): RedisAddress {
  const fail = (reason: string): never => {
    throw new TypeError(`Cannot use Redis address ${text}: ${reason}`);
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("not a URL (redis://HOST:PORT[/DB])");
  }
  if (url.protocol !== "redis:") fail("the scheme must be redis://");
  if (url.username !== "" || url.password !== "") {
    fail("a user or password is not supported");
  }
  if (url.search !== "" || url.hash !== "") {
    fail("a query or fragment is not supported");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") fail("the host is missing");
  const port = url.port === "" ? DEFAULT_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    fail("the port must be 1 to 65535");
  }
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,5}$/.test(path)) {
    fail("the database must be a number (/DB)");
  }
  const db = path === "" ? 0 : Number(path);
  return { host, port, db };
}

/** The address as `redis://HOST:PORT/DB`, for messages. */
export function formatRedisAddress(address: RedisAddress): string {
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `redis://${host}:${address.port}/${address.db}`;
}
