/**
 * Owns the cache's request flow, the one place where RFC 9111 decisions
 * become I/O: look up the stored variants, ask cache/policy.ts what to do,
 * then serve a hit, serve stale (and revalidate in the background), send
 * a conditional request and merge its 304, or fetch and store a miss.
 * Concurrent misses for one key collapse onto one upstream request.
 * Every response says what happened in Cache-Status (RFC 9211) and in the
 * access log (HIT, MISS, REVALIDATED, STALE, BYPASS).
 *
 * Must not take RFC 9111 decisions itself, parse bytes, or touch files
 * other than through the Store.
 */

import type { FieldList } from "../http/headers.ts";
import type { IncomingRequest, OutgoingResponse } from "../http/types.ts";
import { primaryKey } from "../cache/key.ts";
import type { EntryMeta } from "../cache/meta.ts";
import {
  cacheStatus,
  type CacheStatusParams,
  currentAge,
  decide,
  type Decision,
  freshen,
  notModifiedMatches,
  staleOnError,
} from "../cache/policy.ts";
import { errorResponse, UpstreamError } from "./errors.ts";
import {
  fetchUpstream,
  type HttpRoute,
  type ProxyContext,
  relayResponse,
  upstreamErrorResponse,
} from "./forwarding.ts";
import { storedResponse } from "./stored_response.ts";
import { type CacheResult, withStatus } from "./outcome.ts";
import type { CacheState } from "./cache_state.ts";
import { invalidateAfter, storeOrPass } from "./cache_fill.ts";
import type { UpstreamResponse } from "./exchange.ts";

/** Statuses after which a stale entry may stand in (RFC 5861 §4). */
const SERVER_ERRORS = new Set([500, 502, 503, 504]);
/** Conditionals that only the origin can evaluate (RFC 9111 §4.3.2). */
const ORIGIN_PRECONDITIONS = ["if-match", "if-unmodified-since"];
/** The client's validators, replaced by the cache's own when it revalidates. */
const CLIENT_VALIDATORS = ["if-none-match", "if-modified-since"];

/** Serves a request through the cache. */
export async function serveWithCache(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
): Promise<OutgoingResponse> {
  const method = req.head.method;
  const key = primaryKey(
    `http://${
      r.kind === "forward" ? r.authority : upstreamAuthority(r)
    }${r.path}`,
  );
  if (method !== "GET" && method !== "HEAD") {
    return await passThrough(ctx, cache, req, r, key, "method");
  }
  if (ORIGIN_PRECONDITIONS.some((name) => req.head.headers.has(name))) {
    return await passThrough(ctx, cache, req, r, key, "request");
  }
  return await lookup(ctx, cache, req, r, key, req.receivedAt, false);
}

async function lookup(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  now: number,
  collapsed: boolean,
): Promise<OutgoingResponse> {
  const decision = decide(
    req.head.method,
    req.head.headers,
    cache.store.variants(key),
    now,
  );
  switch (decision.kind) {
    case "fresh":
      return await fromStore(
        ctx,
        cache,
        req,
        r,
        key,
        decision.entry,
        decision.age,
        "HIT",
        {
          hit: true,
          ttl: decision.ttl,
          collapsed,
        },
      );
    case "stale-served":
      return await fromStore(
        ctx,
        cache,
        req,
        r,
        key,
        decision.entry,
        decision.age,
        "STALE",
        {
          hit: true,
          ttl: decision.ttl,
          detail: "max-stale",
        },
      );
    case "stale-while-revalidate":
      revalidateInBackground(
        ctx,
        cache,
        req,
        r,
        key,
        decision.entry,
        decision.conditional,
      );
      return await fromStore(
        ctx,
        cache,
        req,
        r,
        key,
        decision.entry,
        decision.age,
        "STALE",
        {
          hit: true,
          ttl: decision.ttl,
          detail: "stale-while-revalidate",
        },
      );
    case "only-if-cached-miss":
      ctx.stats.count("cache.only_if_cached_misses");
      return withStatus(
        errorResponse(
          504,
          "nothing usable is stored and the request said only-if-cached",
          now,
        ),
        { hit: false, detail: "only-if-cached" },
        "MISS",
      ); // RFC 9111 §5.2.1.7
  }
  const release = leadIfGet(cache, req, key);
  if (
    req.head.method === "GET" &&
    !release && !collapsed &&
    await cache.fills.follow(key, ctx.config.responseTimeoutMs)
  ) {
    ctx.stats.count("cache.collapsed");
    return await lookup(ctx, cache, req, r, key, Date.now(), true); // time passed while waiting
  }
  return await fetchForCache(ctx, cache, req, r, key, decision, release);
}

/** Serves a stored entry; falls back to a fetch when its body has vanished. */
async function fromStore(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  entry: EntryMeta,
  age: number,
  result: CacheResult,
  status: CacheStatusParams,
): Promise<OutgoingResponse> {
  const res = await storedResponse(
    cache.store,
    req,
    entry,
    age,
    cacheStatus(status),
  );
  if (!res) {
    ctx.stats.count("cache.vanished");
    const miss = { kind: "miss", detail: "uri-miss" } as const;
    return await fetchForCache(
      ctx,
      cache,
      req,
      r,
      key,
      miss,
      leadIfGet(cache, req, key),
    );
  }
  cache.store.touch(entry);
  if (result === "HIT") ctx.stats.count("cache.hits");
  if (result === "STALE") ctx.stats.count("cache.stale_served");
  res.logSuffix = `- ${result}`;
  return res;
}

/** Goes upstream for a miss or a revalidation, and stores what may be stored. */
async function fetchForCache(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  decision: Extract<Decision, { kind: "miss" | "revalidate" }>,
  release: (() => void) | undefined,
): Promise<OutgoingResponse> {
  const isGet = req.head.method === "GET";
  const entry = decision.kind === "revalidate" && isGet
    ? decision.entry
    : undefined;
  const conditional = decision.kind === "revalidate"
    ? decision.conditional
    : [];
  const fwd = decision.kind === "revalidate" ? decision.fwd : decision.detail;
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await fetchUpstream(
      ctx,
      req,
      r,
      entry ? useOwnValidators(conditional) : undefined,
    );
  } catch (e) {
    release?.();
    if (!(e instanceof UpstreamError)) throw e;
    return upstreamFailed(ctx, cache, req, r, key, entry, e, started);
  }
  const responseTime = Date.now();
  const upstreamMs = responseTime - started;
  const status = up.head.status;
  if (entry && status === 304 && notModifiedMatches(entry, up.head.headers)) {
    const updated = freshen(entry, up.head.headers, started, responseTime); // RFC 9111 §4.3.4
    await cache.store.updateMeta(updated).catch(() =>
      ctx.stats.count("cache.update_errors")
    );
    release?.();
    ctx.stats.count("cache.revalidated");
    const res = await fromStore(
      ctx,
      cache,
      req,
      r,
      key,
      updated,
      currentAge(updated, responseTime),
      "REVALIDATED",
      {
        hit: false,
        fwd: decision.kind === "revalidate" ? decision.fwd : "stale",
        fwdStatus: 304,
        ttl: Math.floor((updated.freshUntil - responseTime) / 1000),
      },
    );
    res.logSuffix = `${upstreamMs}ms REVALIDATED`;
    return res;
  }
  if (entry && status === 304) {
    ctx.stats.count("cache.mismatched_304"); // RFC 9111 §4.3.3: a 304 for another representation: fetch it whole
    const miss = { kind: "miss", detail: "uri-miss" } as const;
    return await fetchForCache(ctx, cache, req, r, key, miss, release);
  }
  if (
    entry && SERVER_ERRORS.has(status) &&
    staleOnError(entry, req.head.headers, responseTime)
  ) {
    await up.body.cancel();
    release?.();
    return await staleInsteadOfError(
      ctx,
      cache,
      req,
      r,
      key,
      entry,
      responseTime,
      status,
    );
  }
  ctx.stats.count("cache.misses");
  const res = await storeOrPass(ctx, cache, req, up, {
    key,
    requestTime: started,
    responseTime,
    replaces: entry,
    release,
  });
  res.status.fwd = fwd;
  res.status.fwdStatus = status;
  const out = relayResponse(up.head, res.body, req.receivedAt);
  return withStatus(out, res.status, "MISS", upstreamMs);
}

/** The upstream could not be reached: stale if allowed, else 502/504. */
async function upstreamFailed(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  entry: EntryMeta | undefined,
  e: UpstreamError,
  started: number,
): Promise<OutgoingResponse> {
  const now = Date.now();
  if (entry && staleOnError(entry, req.head.headers, now)) {
    return await staleInsteadOfError(
      ctx,
      cache,
      req,
      r,
      key,
      entry,
      now,
      undefined,
    );
  }
  const res = upstreamErrorResponse(ctx, req, e);
  if (entry) res.status = 504; // RFC 9111 §4.2.4: stale but not allowed, and no origin: 504
  return withStatus(
    res,
    { hit: false, fwd: entry ? "stale" : "miss", detail: e.failure },
    "MISS",
    now - started,
  );
}

/** Serves a stale entry because the upstream failed (RFC 5861 §4). */
async function staleInsteadOfError(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  entry: EntryMeta,
  now: number,
  upstreamStatus: number | undefined,
): Promise<OutgoingResponse> {
  ctx.stats.count("cache.stale_if_error");
  return await fromStore(
    ctx,
    cache,
    req,
    r,
    key,
    entry,
    currentAge(entry, now),
    "STALE",
    {
      hit: false,
      fwd: "stale",
      fwdStatus: upstreamStatus,
      ttl: Math.floor((entry.freshUntil - now) / 1000),
      detail: "stale-if-error",
    },
  );
}

/** Revalidates a stale entry once in the background (RFC 5861 §3). */
function revalidateInBackground(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  entry: EntryMeta,
  conditional: [string, string][],
): void {
  const started = cache.background.start(key, async () => {
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
    const res = await fetchForCache(
      ctx,
      cache,
      quiet,
      r,
      key,
      revalidate,
      cache.fills.lead(key),
    );
    await drain(res);
  });
  if (started) ctx.stats.count("cache.background_revalidations");
}

/** Makes a GET the filler of its key when nobody else is (HEAD never fills). */
function leadIfGet(
  cache: CacheState,
  req: IncomingRequest,
  key: string,
): (() => void) | undefined {
  return req.head.method === "GET" ? cache.fills.lead(key) : undefined;
}

/** Reads a response body to its end (so a background fill is stored). */
async function drain(res: OutgoingResponse): Promise<void> {
  const body = res.body;
  if (!body || body instanceof Uint8Array) return;
  while (await body.read() !== null) {
    /* the StoringBody writes as it reads */
  }
}

/** Forwards an unsafe (or origin-only conditional) request; invalidates on success (RFC 9111 §4.4). */
async function passThrough(
  ctx: ProxyContext,
  cache: CacheState,
  req: IncomingRequest,
  r: HttpRoute,
  key: string,
  fwd: "method" | "request",
): Promise<OutgoingResponse> {
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await fetchUpstream(ctx, req, r);
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return withStatus(
      upstreamErrorResponse(ctx, req, e),
      { hit: false, fwd },
      "BYPASS",
      Date.now() - started,
    );
  }
  await invalidateAfter(ctx, cache, req, key, up.head);
  ctx.stats.count("cache.bypass");
  const res = relayResponse(up.head, up.body, req.receivedAt);
  return withStatus(
    res,
    { hit: false, fwd, fwdStatus: up.head.status },
    "BYPASS",
    Date.now() - started,
  );
}

/** Replaces the client's validators by the stored entry's (RFC 9111 §4.3.1). */
function useOwnValidators(
  conditional: [string, string][],
): (fields: FieldList) => void {
  return (fields) => {
    for (const name of CLIENT_VALIDATORS) fields.delete(name);
    for (const [name, value] of conditional) fields.append(name, value);
  };
}

function upstreamAuthority(r: HttpRoute): string {
  return r.host.includes(":") ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}
