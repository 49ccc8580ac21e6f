/**
 * Owns the `cachelab proxy` command line: its flag table (which help
 * renders) and turning parsed arguments plus the environment into a
 * checked ProxyConfig. The cache flags live in cache_flags.ts.
 *
 * Must not start servers or create the cache folder itself: admin/launch.ts
 * does (startPlanned), main.ts runs it.
 */

import {
  type AdminAddress,
  type LaunchedProxy,
  startProxyWithAdmin,
} from "../admin/launch.ts";
import type { ProxyConfig, UpstreamAddress } from "../proxy/config.ts";
import {
  type CommandSpec,
  flagText,
  type ParsedArgs,
  UsageError,
} from "./args.ts";
import { CACHE_FLAGS, cacheConfigFrom, type EnvLookup } from "./cache_flags.ts";
import { cacheOpener } from "./redis_cache.ts";
import {
  parseCount,
  parseHost,
  parseHostPort,
  parseListenPort,
  parsePortList,
  parseRemotePort,
  parseSecondsAsMs,
} from "./values.ts";

export const PROXY_DEFAULTS = {
  port: 12345,
  upstreamHost: "127.0.0.1",
  upstreamPort: 20000,
  host: "127.0.0.1",
  adminHost: "127.0.0.1",
  connectTimeoutMs: 5_000,
  responseTimeoutMs: 30_000,
  headTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxConnections: 1024,
  maxUpstreamConnections: 256,
} as const;

const MAX_CONNECTIONS_CEILING = 1_000_000;

const seconds = (ms: number) => String(ms / 1000);

export const PROXY_COMMAND: CommandSpec = {
  name: "proxy",
  summary: "A caching HTTP/1.1 proxy with RFC 9111 shared-cache semantics. " +
    "Origin-form requests (curl localhost:12345/1.txt) go to the upstream " +
    "(reverse proxy); absolute-form requests (curl -x) go to the host they " +
    "name (forward proxy); CONNECT opens a tunnel to an allowed port.",
  positionals: [
    {
      name: "PORT",
      help: "Port to listen on; 0 picks a free one.",
      default: String(PROXY_DEFAULTS.port),
    },
    {
      name: "UPSTREAM_PORT",
      help: `Port of the upstream on ${PROXY_DEFAULTS.upstreamHost}.`,
      default: String(PROXY_DEFAULTS.upstreamPort),
    },
  ],
  flags: [
    {
      name: "upstream",
      value: "HOST:PORT",
      help: "Upstream of origin-form requests, instead of UPSTREAM_PORT; " +
        "IPv6 in brackets: [::1]:8080.",
      default: `${PROXY_DEFAULTS.upstreamHost}:${PROXY_DEFAULTS.upstreamPort}`,
    },
    {
      name: "host",
      value: "HOST",
      help: "Address to listen on.",
      default: PROXY_DEFAULTS.host,
    },
    {
      name: "admin-port",
      value: "N",
      help: "Port of the admin listener (the live page at /, the JSON " +
        "API /api/entries with purge, /api/events, /metrics); 0 picks a " +
        "free one.",
      default: "PORT+1, or 0 when PORT is 0",
    },
    {
      name: "admin-host",
      value: "HOST",
      help: "Address of the admin listener. WARNING: any other address " +
        "than the loopback lets that network list the cache and purge it.",
      default: PROXY_DEFAULTS.adminHost,
    },
    {
      name: "no-admin",
      help: "Run without the admin listener; --admin-port and " +
        "--admin-host are then an error.",
    },
    {
      name: "no-forward",
      help: "Refuse absolute-form (forward proxy) requests with 403.",
    },
    {
      name: "connect-ports",
      value: "LIST",
      help: 'Comma-separated ports CONNECT may tunnel to; "" allows none.',
      default: "443 and the upstream port",
    },
    {
      name: "timeout-connect",
      value: "S",
      help: "Seconds to connect to an upstream, waiting for a free " +
        "connection included (then 504).",
      default: seconds(PROXY_DEFAULTS.connectTimeoutMs),
    },
    {
      name: "timeout-response",
      value: "S",
      help: "Seconds to wait for the final upstream response head; " +
        "interim 1xx responses do not extend it (then 504).",
      default: seconds(PROXY_DEFAULTS.responseTimeoutMs),
    },
    {
      name: "timeout-head",
      value: "S",
      help: "Seconds a client has to send a request head (then 408).",
      default: seconds(PROXY_DEFAULTS.headTimeoutMs),
    },
    {
      name: "timeout-idle",
      value: "S",
      help: "Seconds a connection may sit idle, client side or pooled " +
        "upstream (an upstream's Keep-Alive timeout, less 1 s, when shorter).",
      default: seconds(PROXY_DEFAULTS.idleTimeoutMs),
    },
    {
      name: "max-connections",
      value: "N",
      help:
        "Client connections served at once; at the limit the longest-idle keep-alive one is closed to admit a new one, else the new one waits.",
      default: String(PROXY_DEFAULTS.maxConnections),
    },
    {
      name: "max-upstream-connections",
      value: "N",
      help: "Connections open to one upstream at once; more requests wait " +
        "for one within --timeout-connect.",
      default: String(PROXY_DEFAULTS.maxUpstreamConnections),
    },
    ...CACHE_FLAGS,
    {
      name: "no-cache",
      help:
        "Run without a cache, as a plain proxy; the cache flags above are then an error.",
    },
    {
      name: "quiet",
      help: "Do not write the access log (one line per request on stderr).",
    },
  ],
  notes: [
    "BYTES is a number of bytes or a number with a unit: B, KB, MB, GB " +
    "(powers of 1000) or KiB, MiB, GiB (powers of 1024), like 512MiB or 1.5GB. " +
    "S is seconds and may have decimals (0.5).",
    'Prints "listening on http://HOST:PORT" on stdout once it serves, then ' +
    '"admin on http://HOST:PORT" (unless --no-admin). ' +
    "SIGINT or SIGTERM stops it gracefully.",
  ],
};

/** What `cachelab proxy` runs with; `log` is wired by main.ts. */
export interface ProxyPlan {
  config: ProxyConfig;
  /** Undefined with --no-admin. */
  admin: AdminAddress | undefined;
  quiet: boolean;
}

/**
 * Starts what a plan says: the cache folder's lock, the cache (a Redis
 * store's changes of state on stderr), the proxy (logging to `log`) and
 * its admin listener (admin/launch.ts).
 */
export function startPlanned(
  plan: ProxyPlan,
  log: ((line: string) => void) | undefined,
): Promise<LaunchedProxy> {
  return startProxyWithAdmin(
    { ...plan.config, log },
    plan.admin,
    cacheOpener((line) => console.error(`cachelab: ${line}`)),
  );
}

/** Checks the parsed command line; throws UsageError on a bad value. */
export async function proxyPlanFrom(
  args: ParsedArgs,
  env: EnvLookup,
  cwd: string,
): Promise<ProxyPlan> {
  const [portText, upstreamPortText] = args.positionals;
  const upstream = upstreamFrom(args, upstreamPortText);
  const connectPorts = flagText(args, "connect-ports");
  const maxConnections = flagText(args, "max-connections");
  const maxUpstream = flagText(args, "max-upstream-connections");
  const host = flagText(args, "host");
  const port = portText === undefined
    ? PROXY_DEFAULTS.port
    : parseListenPort(portText, "PORT");
  return {
    config: {
      host: host === undefined
        ? PROXY_DEFAULTS.host
        : parseHost(host, "--host"),
      port,
      upstream,
      forward: !args.flags.has("no-forward"),
      connectPorts: connectPorts === undefined
        ? [...new Set([443, upstream.port])]
        : parsePortList(connectPorts, "--connect-ports"),
      connectTimeoutMs: secondsFlag(
        args,
        "timeout-connect",
        PROXY_DEFAULTS.connectTimeoutMs,
      ),
      responseTimeoutMs: secondsFlag(
        args,
        "timeout-response",
        PROXY_DEFAULTS.responseTimeoutMs,
      ),
      headTimeoutMs: secondsFlag(
        args,
        "timeout-head",
        PROXY_DEFAULTS.headTimeoutMs,
      ),
      idleTimeoutMs: secondsFlag(
        args,
        "timeout-idle",
        PROXY_DEFAULTS.idleTimeoutMs,
      ),
      maxConnections: maxConnections === undefined
        ? PROXY_DEFAULTS.maxConnections
        : parseCount(maxConnections, "--max-connections", {
          min: 1,
          max: MAX_CONNECTIONS_CEILING,
        }),
      maxUpstreamConnections: maxUpstream === undefined
        ? PROXY_DEFAULTS.maxUpstreamConnections
        : parseCount(maxUpstream, "--max-upstream-connections", {
          min: 1,
          max: MAX_CONNECTIONS_CEILING,
        }),
      cache: await cacheConfigFrom(args, env, cwd),
    },
    admin: adminFrom(args, port),
    quiet: args.flags.has("quiet"),
  };
}

/** The admin listener's address from its flags; undefined with --no-admin. */
function adminFrom(args: ParsedArgs, port: number): AdminAddress | undefined {
  const portText = flagText(args, "admin-port");
  const host = flagText(args, "admin-host");
  if (args.flags.has("no-admin")) {
    if (portText !== undefined || host !== undefined) {
      throw new UsageError(
        `--no-admin and --admin-${
          portText !== undefined ? "port" : "host"
        } cannot be used together`,
      );
    }
    return undefined;
  }
  if (portText === undefined && port === 65535) {
    throw new UsageError(
      "--admin-port must be given when PORT is 65535 (PORT+1 is no port)",
    );
  }
  return {
    host: host === undefined
      ? PROXY_DEFAULTS.adminHost
      : parseHost(host, "--admin-host"),
    port: portText !== undefined
      ? parseListenPort(portText, "--admin-port")
      : port === 0
      ? 0
      : port + 1,
  };
}

function secondsFlag(
  args: ParsedArgs,
  name: string,
  fallbackMs: number,
): number {
  const value = flagText(args, name);
  return value === undefined
    ? fallbackMs
    : parseSecondsAsMs(value, `--${name}`);
}

function upstreamFrom(
  args: ParsedArgs,
  portText: string | undefined,
): UpstreamAddress {
  const named = flagText(args, "upstream");
  if (named !== undefined && portText !== undefined) {
    throw new UsageError(
      "UPSTREAM_PORT and --upstream cannot be used together",
    );
  }
  if (named !== undefined) return parseHostPort(named, "--upstream");
  return {
    host: PROXY_DEFAULTS.upstreamHost,
    port: portText === undefined
      ? PROXY_DEFAULTS.upstreamPort
      : parseRemotePort(portText, "UPSTREAM_PORT"),
  };
}
