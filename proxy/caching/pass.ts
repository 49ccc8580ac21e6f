/**
 * Owns the requests the cache passes through: unsafe methods, requests
 * with conditionals only the origin can evaluate (RFC 9111 §4.3.2) and
 * requests without a key. Nothing of theirs is looked up or stored; an
 * unsafe method that succeeded invalidates the stored responses of what
 * it changed, as afterResponse() says (RFC 9111 §4.4).
 *
 * Must not store anything.
 */

import { afterResponse } from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow, ProxyContext } from "../context.ts";
import { relayResponse, upstreamErrorResponse } from "../relay.ts";
import { withStatus } from "../report.ts";
import { UpstreamError } from "../upstream/errors.ts";
import { requestFor, type UpstreamResponse } from "../upstream/mod.ts";
import type { CacheState } from "./state.ts";

/** A request passed through: it may have no key (then nothing is invalidated). */
export type PassFlow = Omit<CacheFlow, "key"> & { key: string | undefined };

/**
 * Forwards an unsafe request (or one with origin-only preconditions, or
 * without a key) and invalidates what an unsafe one changed on success
 * (RFC 9111 §4.4).
 */
export async function passThrough(
  flow: PassFlow,
  fwd: "method" | "request" | "bypass",
): Promise<OutgoingResponse> {
  const { ctx, req } = flow;
  const started = Date.now();
  let up: UpstreamResponse;
  try {
    up = await ctx.upstream.exchange(
      requestFor(req, {
        host: flow.route.host,
        port: flow.route.port,
        head: flow.upstream,
      }),
    );
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return withStatus(
      upstreamErrorResponse(ctx, { error: e, now: req.receivedAt }),
      {
        status: { hit: false, fwd },
        result: "BYPASS",
        upstreamMs: Date.now() - started,
      },
    );
  }
  const responseTime = Date.now();
  if (flow.key !== undefined && fwd === "method") {
    const outcome = afterResponse({
      key: flow.key,
      method: req.head.method,
      requestFields: flow.upstream.headers,
      status: up.head.status,
      reason: up.head.reason,
      responseFields: up.head.headers,
      requestTime: started,
      responseTime,
    }, { options: flow.cache.options });
    switch (outcome.kind) {
      case "invalidate":
        await invalidate(flow, outcome.keys);
        break;
      default:
        break; // an unsafe method's response is passed, never stored
    }
  }
  ctx.stats.count("cache.bypass");
  return withStatus(relayResponse(up, req.receivedAt), {
    status: { hit: false, fwd, fwdStatus: up.head.status },
    result: "BYPASS",
    upstreamMs: Date.now() - started,
  });
}

/** Removes the stored responses of the primary keys an unsafe request changed (RFC 9111 §4.4). */
export async function invalidate(
  flow: { ctx: ProxyContext; cache: CacheState },
  keys: readonly string[],
): Promise<void> {
  for (const key of keys) {
    if (flow.cache.store.variants(key).length === 0) continue;
    await flow.cache.store.remove(key);
    flow.ctx.stats.count("cache.invalidations");
  }
}
