/**
 * Owns the cache's request flow, the one place where RFC 9111 decisions
 * become I/O: look up the stored variants, ask cache/policy.ts what to do,
 * then serve a hit, serve stale (and revalidate once in the background),
 * or go upstream for a miss or a revalidation (fetch.ts).
 * Concurrent misses for one key collapse onto one upstream request.
 * Every response says what happened in Cache-Status (RFC 9211) and in the
 * access log (HIT, MISS, REVALIDATED, STALE, BYPASS).
 *
 * Must not take RFC 9111 decisions itself, parse bytes, or touch files
 * other than through the Store.
 */

import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { decide } from "../../cache/policy.ts";
import { fetchForCache, passThrough } from "./fetch.ts";
import type { CacheState } from "./state.ts";
import { errorResponse } from "../errors.ts";
import type { CacheFlow, HttpRoute, ProxyContext } from "../context.ts";
import { upstreamRequest } from "../messages.ts";
import { routeKey } from "../route_key.ts";
import { withStatus } from "../report.ts";
import { serveStored } from "./stored.ts";

/**
 * The longest a request waits for another one filling its key before it
 * goes upstream itself (nginx's proxy_cache_lock_timeout is 5 s too).
 */
const COLLAPSE_WAIT_MS = 5000;
/** Conditionals that only the origin can evaluate (RFC 9111 §4.3.2). */
const ORIGIN_PRECONDITIONS = ["if-match", "if-unmodified-since"];
const MISS = { kind: "miss", detail: "uri-miss" } as const;

/**
 * Serves a request through the cache. Methods other than GET and HEAD
 * pass through first: nothing of theirs is looked up or stored (an
 * `OPTIONS *` has no key at all). A request whose key cannot be built
 * passes through too, never stored.
 */
export async function serveWithCache(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  route: HttpRoute,
): Promise<OutgoingResponse> {
  const upstream = upstreamRequest(req.head, route, req.remoteAddr);
  const key = routeKey(route, ctx.self); // RFC 9111 §2: the forwarded target URI
  const pass = { ctx, cache, req, route, key, upstream };
  const method = req.head.method;
  if (method !== "GET" && method !== "HEAD") {
    return await passThrough(pass, "method");
  }
  if (key === undefined) return await passThrough(pass, "bypass");
  if (ORIGIN_PRECONDITIONS.some((name) => req.head.headers.has(name))) {
    return await passThrough(pass, "request");
  }
  return await lookup({ ...pass, key }, req.receivedAt, false);
}

async function lookup(
  flow: CacheFlow,
  now: number,
  collapsed: boolean,
): Promise<OutgoingResponse> {
  const { ctx, cache, req } = flow;
  const variants = cache.store.variants(flow.key);
  const decision = decide(
    req.head.method,
    req.head.headers,
    variants,
    now,
    flow.upstream.headers, // RFC 9111 §4.1: the values the origin would see
  );
  switch (decision.kind) {
    case "fresh":
      return await serveStored(flow, decision.entry, decision.age, "HIT", {
        hit: true,
        ttl: decision.ttl,
        collapsed,
      }) ?? await fetchForCache(flow, MISS, leadIfGet(flow));
    case "stale-served":
      return await serveStored(flow, decision.entry, decision.age, "STALE", {
        hit: true,
        ttl: decision.ttl,
        detail: "max-stale",
      }) ?? await fetchForCache(flow, MISS, leadIfGet(flow));
    case "stale-while-revalidate":
      revalidateInBackground(flow, decision.entry, decision.conditional);
      return await serveStored(flow, decision.entry, decision.age, "STALE", {
        hit: true,
        ttl: decision.ttl,
        detail: "stale-while-revalidate",
      }) ?? await fetchForCache(flow, MISS, leadIfGet(flow));
    case "only-if-cached-miss": {
      ctx.stats.count("cache.only_if_cached_misses");
      const reason =
        "nothing usable is stored and the request said only-if-cached";
      return withStatus(errorResponse(504, reason, now), {
        hit: false,
        detail: "only-if-cached",
      }, "MISS"); // RFC 9111 §5.2.1.7
    }
  }
  const release = leadIfGet(flow);
  const isGet = req.head.method === "GET";
  if (
    isGet && !release && !collapsed &&
    await cache.fills.follow(
      flow.key,
      Math.min(COLLAPSE_WAIT_MS, ctx.config.responseTimeoutMs),
    )
  ) {
    ctx.stats.count("cache.collapsed");
    return await lookup(flow, Date.now(), true); // time passed while waiting
  }
  return await fetchForCache(flow, decision, release);
}

/** Makes a GET the filler of its key when nobody else is (HEAD never fills). */
function leadIfGet(flow: CacheFlow): (() => void) | undefined {
  return flow.req.head.method === "GET"
    ? flow.cache.fills.lead(flow.key)
    : undefined;
}

/** Revalidates a stale entry once in the background (RFC 5861 §3). */
function revalidateInBackground(
  flow: CacheFlow,
  entry: EntryMeta,
  conditional: [string, string][],
): void {
  const { ctx, cache, req } = flow;
  const started = cache.background.start(flow.key, async () => {
    const quiet: IncomingRequest = {
      ...req,
      sendInterim: () => Promise.resolve(),
    };
    const revalidate = {
      kind: "revalidate",
      entry,
      conditional,
      fwd: "stale",
    } as const;
    try {
      const res = await fetchForCache(
        { ...flow, req: quiet },
        revalidate,
        cache.fills.lead(flow.key),
      );
      await drain(res);
    } catch (e) {
      ctx.stats.count("cache.background_errors"); // nobody waits for it: count, never crash
      console.error(
        `cachelab: background revalidation of ${flow.key} failed: ${e}`,
      );
    }
  });
  if (started) ctx.stats.count("cache.background_revalidations");
}

/** Reads a response body to its end (so a background fill is stored). */
async function drain(res: OutgoingResponse): Promise<void> {
  const body = res.body;
  if (!body || body instanceof Uint8Array) return;
  while (await body.read() !== null) {
    // the StoringBody writes as it reads
  }
}
