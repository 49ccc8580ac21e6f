/**
 * Owns the admin listener: binding it on `Deno.serve`, the Host check
 * that keeps other sites' pages out (DNS rebinding), and routing each
 * request to its AdminHandler by method and path (404 for an unknown
 * path, 405 with Allow for another method, HEAD answered as GET without
 * a body, 400 for a query parameter given twice), with errors as JSON.
 *
 * Must not know which endpoints exist (the caller's AdminRoutes) nor
 * touch the proxy port.
 */

import { parseAuthority } from "../http/uri.ts";
import type { AdminHandler, AdminRoutes } from "./route.ts";
import { jsonError } from "./json.ts";

/** Where the admin listener binds and what it serves. */
export interface AdminOptions {
  /** Address to bind (127.0.0.1 by default on the command line). */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** A handler per `"METHOD /path"`. */
  routes: AdminRoutes;
}

/** A running admin listener. */
export interface AdminServer {
  /** `http://HOST:PORT` as bound (IPv6 in brackets). */
  readonly url: string;
  readonly addr: Deno.NetAddr;
  /** Stops listening and waits for the requests in flight. */
  close(): Promise<void>;
}

/**
 * Binds the admin listener and serves `routes`. Throws as Deno.listen
 * does when the address cannot be bound (Deno.errors.AddrInUse, ...).
 *
 * A request whose Host names neither the bound address (any IP literal
 * when bound to a wildcard address) nor `localhost`, with the bound port
 * or none, gets 421 Misdirected Request (RFC 9110 §15.5.20): this
 * server will not answer for that authority. A page of another site
 * whose name was made to resolve to this address (DNS rebinding) sends
 * its own name as Host and is refused before any route runs. An
 * absolute-form target's authority wins over Host (RFC 9112 §3.2.2): it
 * must name this listener too.
 *
 * HEAD on a GET endpoint is answered as GET without a body (RFC 9110
 * §9.3.2); the body is cancelled, so a stream (/api/events) ends at once.
 * A query parameter given twice gets 400 (never a silent first-one-wins).
 */
export function startAdmin(options: AdminOptions): AdminServer {
  const { promise: bound, resolve } = Promise.withResolvers<void>();
  const server: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    {
      hostname: options.host,
      port: options.port,
      onListen: () => resolve(),
    },
    (request): Promise<Response> =>
      answer(request, server.addr, options.routes),
  );
  const addr = server.addr;
  return {
    url: `http://${bracketed(addr.hostname)}:${addr.port}`,
    addr,
    close: async () => {
      await bound;
      await server.shutdown();
    },
  };
}

async function answer(
  request: Request,
  addr: Deno.NetAddr,
  routes: AdminRoutes,
): Promise<Response> {
  const host = request.headers.get("host");
  if (host === null || !namesSelf(host, addr)) {
    return jsonError(
      421,
      `Cannot answer for ${host ?? "no Host"}: this is the admin listener of ${
        bracketed(addr.hostname)
      }:${addr.port}`,
    );
  }
  const url = new URL(request.url);
  // RFC 9112 §3.2.2: an absolute-form target's authority replaces Host.
  if (!namesSelf(url.host, addr)) {
    return jsonError(
      421,
      `Cannot answer for ${url.host}: this is the admin listener of ${
        bracketed(addr.hostname)
      }:${addr.port}`,
    );
  }
  const twice = repeatedName(url.searchParams);
  if (twice !== undefined) {
    return jsonError(
      400,
      `Cannot answer ${url.pathname}: query parameter ${twice} is given more than once`,
    );
  }
  // RFC 9110 §9.3.2: HEAD is GET without the content.
  const head = request.method === "HEAD" &&
    routes[`HEAD ${url.pathname}`] === undefined &&
    routes[`GET ${url.pathname}`] !== undefined;
  const handler = routes[`${head ? "GET" : request.method} ${url.pathname}`];
  if (head) {
    const response = await respond(handler!, request, url);
    await response.body?.cancel();
    return new Response(null, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
  if (!handler) {
    const allowed = Object.keys(routes)
      .filter((route) => route.slice(route.indexOf(" ") + 1) === url.pathname)
      .map((route) => route.slice(0, route.indexOf(" ")));
    if (allowed.length === 0) {
      return jsonError(404, `Cannot find ${url.pathname}: no such endpoint`);
    }
    const response = jsonError(
      405,
      `Cannot ${request.method} ${url.pathname}: allowed are ${
        allowed.join(", ")
      }`,
    );
    response.headers.set("Allow", allowed.join(", "));
    return response;
  }
  return await respond(handler, request, url);
}

async function respond(
  handler: AdminHandler,
  request: Request,
  url: URL,
): Promise<Response> {
  try {
    return await handler(request, url);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return jsonError(500, `Cannot answer ${url.pathname}: ${reason}`);
  }
}

/** The first query parameter name given more than once, if any. */
function repeatedName(query: URLSearchParams): string | undefined {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/** True when a Host value names this listener: its address or localhost, its port or none. */
export function namesSelf(host: string, addr: Deno.NetAddr): boolean {
  const named = parseAuthority(host, addr.port);
  if (!named || named.port !== addr.port) return false;
  const name = named.host.toLowerCase();
  if (name === "localhost") return true;
  if (name === addr.hostname.toLowerCase()) return true;
  const wildcard = addr.hostname === "0.0.0.0" || addr.hostname === "::";
  return wildcard && isIpLiteral(name); // no name to rebind: an address is itself
}

function isIpLiteral(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

function bracketed(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
