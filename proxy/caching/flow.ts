/**
 * Owns the cache's request flow, the one place where the cache's
 * decisions become I/O. One handler: a bounded loop whose every round
 * asks cache/policy.ts decide() what to do with the stored variants (a
 * `switch`: serve, go upstream, 504), goes upstream when told to, and
 * turns what afterResponse() or afterFailure() says of the answer into
 * I/O (a second `switch`: store, replace, freshen, remove, pass, serve
 * stale, invalidate, refetch). A round ends the request or starts the
 * next one (a stored body that vanished, a 304 that matched nothing, a
 * wait for another request's fill): nothing recurses. Concurrent misses
 * for one key collapse onto one upstream request (collapsing.ts). Every
 * response says what happened in Cache-Status (RFC 9211) and in the
 * access log (report.ts).
 *
 * Must not take RFC 9111 decisions itself, parse bytes, or touch files
 * other than through the Store.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import {
  afterFailure,
  afterResponse,
  decide,
  type Decision,
  type Exchange,
} from "../../cache/policy.ts";
import type { IncomingRequest, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, HttpRoute, ProxyContext } from "../context.ts";
import { upstreamRequest, withOwnValidators } from "../messages.ts";
import { routeKey } from "../route_key.ts";
import { failureStatus, UpstreamError } from "../upstream/errors.ts";
import { requestFor, type UpstreamResponse } from "../upstream/mod.ts";
import {
  draftEntry,
  failedResponse,
  filledResponse,
  onlyIfCachedMiss,
  relayed,
  serveRevalidated,
  serveStale,
  startFill,
} from "./answers.ts";
import { revalidateInBackground } from "./background.ts";
import type { Fill } from "./collapsing.ts";
import { follow } from "./follow.ts";
import { invalidate, passThrough } from "./pass.ts";
import type { CacheState } from "./state.ts";
import { serveStored } from "./stored.ts";

/** Conditionals that only the origin can evaluate (RFC 9111 §4.3.2). */
const ORIGIN_PRECONDITIONS = ["if-match", "if-unmodified-since"];
const MISS = { kind: "miss", detail: "uri-miss" } as const;
/**
 * Rounds of one request: a vanished body, a refetch and a wait for
 * another request's fill take one each. The last round goes upstream
 * without conditions and without collapsing, so it always ends.
 */
const MAX_ROUNDS = 4;

/** A decision that goes upstream. */
type Forwarding = Extract<Decision, { kind: "miss" | "revalidate" }>;

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
  const method = req.head.method;
  const pass = { ctx, cache, req, route, key, upstream };
  if (method !== "GET" && method !== "HEAD") {
    return await passThrough(pass, "method");
  }
  if (key === undefined) return await passThrough(pass, "bypass");
  if (ORIGIN_PRECONDITIONS.some((name) => req.head.headers.has(name))) {
    return await passThrough(pass, "request");
  }
  const flow: CacheFlow = { ...pass, key };
  let collapsed = false; // this request waited for another one's fill
  let plain = false; // what is stored is not to be used: a plain miss
  for (let round = 1;; round++) {
    const last = round >= MAX_ROUNDS;
    const now = round === 1 ? req.receivedAt : Date.now(); // time passes between rounds
    const decision = plain || last ? MISS : decide(
      method,
      req.head.headers,
      cache.store.variants(key),
      now,
      upstream.headers, // RFC 9111 §4.1: the values the origin would see
    );
    switch (decision.kind) {
      case "fresh":
      case "stale-served":
      case "stale-while-revalidate": {
        if (decision.kind === "stale-while-revalidate") {
          revalidateInBackground(flow, decision, forward);
        }
        const hit = decision.kind === "fresh";
        const res = await serveStored(flow, {
          entry: decision.entry,
          age: decision.age,
          result: hit ? "HIT" : "STALE",
          status: {
            hit: true,
            ttl: decision.ttl,
            collapsed: hit && collapsed,
            detail: decision.kind === "stale-served"
              ? "max-stale"
              : hit
              ? undefined
              : "stale-while-revalidate",
          },
        });
        if (res) return res;
        plain = true; // its body vanished: a miss
        continue;
      }
      case "only-if-cached-miss":
        return onlyIfCachedMiss(ctx, now);
      case "miss":
      case "revalidate": {
        const isGet = method === "GET"; // HEAD neither fills nor follows
        using lock = isGet && !last ? cache.fills.lead(key) : undefined;
        const other = isGet && !lock && !collapsed && !last
          ? cache.fills.current(key)
          : undefined;
        if (other) {
          ctx.stats.count("cache.collapsed");
          collapsed = true;
          const res = await follow(flow, other);
          if (res) return res;
          continue; // time passed while waiting: decide again
        }
        const res = await forward(flow, decision, lock);
        if (res) return res;
        plain = true; // refetch without conditions, or a vanished body
        continue;
      }
    }
  }
}

/**
 * Goes upstream for a miss or a revalidation and acts on the outcome.
 * `lock` is this request's fill of the key, when it holds one. Undefined
 * when the request must start over as a plain miss (a 304 that matched
 * nothing, a stored body that vanished).
 */
async function forward(
  flow: CacheFlow,
  decision: Forwarding,
  lock: Fill | undefined,
): Promise<OutgoingResponse | undefined> {
  const { ctx, cache, req } = flow;
  const entry = decision.kind === "revalidate" ? decision.entry : undefined;
  const fwd = decision.kind === "revalidate" ? decision.fwd : decision.detail;
  const sent = decision.kind === "revalidate"
    ? withOwnValidators(flow.upstream, decision.conditional) // RFC 9111 §4.3.1
    : flow.upstream;
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await ctx.upstream.exchange(
      requestFor(req, {
        host: flow.route.host,
        port: flow.route.port,
        head: sent,
      }),
    );
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return await upstreamFailed(flow, { entry, error: e, started });
  }
  const responseTime = Date.now();
  const upstreamMs = responseTime - started;
  const status = up.head.status;
  const exchange: Exchange = {
    key: flow.key,
    method: req.head.method,
    requestFields: sent.headers,
    status,
    reason: up.head.reason,
    responseFields: up.head.headers,
    requestTime: started,
    responseTime,
    trailingBytes: up.body.length === 0 && up.trailingBytes,
  };
  const outcome = afterResponse(exchange, {
    revalidated: entry,
    options: cache.options,
  });
  const report = { fwd, fwdStatus: status };
  switch (outcome.kind) {
    case "store":
    case "replace": {
      const filling = startFill(flow, { up, draft: outcome.draft });
      lock?.holdUntil(filling.done); // released once the fill settled
      lock?.publish({
        kind: "storing",
        entry: draftEntry(outcome.draft, up.body.length),
        filling,
      });
      return await filledResponse(flow, {
        ...report,
        upstreamMs,
        up,
        filling,
      });
    }
    case "freshen": {
      const stored = outcome.persist
        ? await cache.store.rekey(outcome.previous, outcome.entry).catch(() => {
          ctx.stats.count("cache.update_errors");
          return undefined;
        })
        : undefined;
      if (outcome.answer === "upstream") {
        ctx.stats.count("cache.head_freshened"); // RFC 9111 §4.3.5
        return relayed(flow, up, { ...report, detail: "method", upstreamMs });
      }
      ctx.stats.count("cache.revalidated");
      return await serveRevalidated(flow, stored ?? outcome.entry, {
        fwd,
        responseTime,
        upstreamMs,
      });
    }
    case "remove": {
      if (outcome.serve) {
        const res = await serveRevalidated(flow, outcome.serve, {
          fwd,
          responseTime,
          upstreamMs,
          detail: outcome.detail,
        }); // the body is open before its entry goes
        await cache.store.remove(outcome.entry);
        ctx.stats.count("cache.update_removed");
        ctx.stats.count("cache.revalidated");
        return res;
      }
      await cache.store.remove(outcome.entry);
      const isHead = req.head.method === "HEAD";
      if (isHead) ctx.stats.count("cache.head_invalidated"); // RFC 9111 §4.3.5
      return relayed(flow, up, {
        ...report,
        detail: isHead ? "method" : outcome.detail,
        upstreamMs,
      });
    }
    case "pass":
      return relayed(flow, up, {
        ...report,
        detail: outcome.detail,
        upstreamMs,
      });
    case "serve-stale": {
      const stale = await serveStale(flow, outcome.entry, {
        now: responseTime,
        fwdStatus: status,
      });
      if (!stale) return relayed(flow, up, { ...report, upstreamMs });
      await up.body.cancel();
      return stale;
    }
    case "invalidate":
      await invalidate(flow, outcome.keys);
      return relayed(flow, up, { ...report, upstreamMs });
    case "refetch":
      await up.body.cancel();
      ctx.stats.count(
        up.trailingBytes ? "cache.untrusted_304" : "cache.mismatched_304",
      ); // RFC 9111 §4.3.4: fetch it whole
      return undefined;
  }
}

/** The upstream could not be reached: what afterFailure() says, stale or 502/504. */
async function upstreamFailed(
  flow: CacheFlow,
  failed: {
    entry: EntryMeta | undefined;
    error: UpstreamError;
    started: number;
  },
): Promise<OutgoingResponse> {
  const { entry, error } = failed;
  const now = Date.now();
  const outcome = afterFailure(
    entry,
    flow.req.head.headers,
    failureStatus(error.failure),
    now,
  );
  const upstreamMs = now - failed.started;
  switch (outcome.kind) {
    case "serve-stale": {
      const stale = await serveStale(flow, outcome.entry, { now });
      return stale ??
        failedResponse(flow, { ...failed, status: 504, upstreamMs }); // RFC 9111 §4.2.4: its body is gone, and no origin
    }
    case "fail":
      return failedResponse(flow, {
        ...failed,
        status: outcome.status,
        upstreamMs,
      });
  }
}
