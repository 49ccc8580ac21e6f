/**
 * Owns the cache's trips upstream: a miss fetched and stored, a
 * revalidation sent with the stored validators and its 304 merged
 * (RFC 9111 §4.3), a stale entry served instead of an error when allowed
 * (RFC 5861 §4), and unsafe requests passed through with invalidation
 * (RFC 9111 §4.4).
 *
 * Must not take RFC 9111 decisions itself (cache/policy.ts does).
 */

import type { FieldList } from "../../http/headers.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import {
  currentAge,
  type Decision,
  freshen,
  notModifiedMatches,
  staleOnError,
} from "../../cache/policy.ts";
import { invalidateAfter, storeOrPass, updateFromHead } from "./fill.ts";
import type { CacheFlow } from "../context.ts";
import { UpstreamError } from "../upstream/errors.ts";
import type { UpstreamResponse } from "../upstream/exchange.ts";
import { relayResponse, upstreamErrorResponse } from "../relay.ts";
import { requestFor } from "../upstream/mod.ts";
import { logResult, withStatus } from "../report.ts";
import { serveStored } from "./stored.ts";

/** Statuses after which a stale entry may stand in (RFC 5861 §4). */
const SERVER_ERRORS = new Set([500, 502, 503, 504]);
/** The client's validators, replaced by the cache's own when it revalidates. */
const CLIENT_VALIDATORS = ["if-none-match", "if-modified-since"];
const MISS = { kind: "miss", detail: "uri-miss" } as const;

/**
 * Goes upstream for a miss or a revalidation and stores what may be
 * stored. `release` ends the fill that collapsed requests wait for.
 */
export async function fetchForCache(
  flow: CacheFlow,
  decision: Extract<Decision, { kind: "miss" | "revalidate" }>,
  release: (() => void) | undefined,
): Promise<OutgoingResponse> {
  const { ctx, cache, req } = flow;
  const entry = decision.kind === "revalidate" ? decision.entry : undefined;
  const fwd = decision.kind === "revalidate" ? decision.fwd : decision.detail;
  const sent = { ...flow.upstream, headers: flow.upstream.headers.clone() };
  if (decision.kind === "revalidate") {
    useOwnValidators(sent.headers, decision.conditional);
  }
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
    release?.();
    if (!(e instanceof UpstreamError)) throw e;
    return await upstreamFailed(flow, entry, e, started);
  }
  const responseTime = Date.now();
  const upstreamMs = responseTime - started;
  const status = up.head.status;
  if (entry && status === 304 && up.trailingBytes) {
    await up.body.cancel();
    ctx.stats.count("cache.untrusted_304"); // bytes right behind it: it may answer another request
    return await fetchForCache(flow, MISS, release);
  }
  if (entry && status === 304 && notModifiedMatches(entry, up.head.headers)) {
    const updated = freshen(entry, up.head.headers, started, responseTime); // RFC 9111 §4.3.4
    await cache.store.updateMeta(updated).catch(() =>
      ctx.stats.count("cache.update_errors")
    );
    release?.();
    ctx.stats.count("cache.revalidated");
    const ttl = Math.floor((updated.freshUntil - responseTime) / 1000);
    const age = currentAge(updated, responseTime);
    const res = await serveStored(flow, updated, age, "REVALIDATED", {
      hit: false,
      fwd,
      fwdStatus: 304,
      ttl,
    });
    if (!res) {
      return await fetchForCache(flow, MISS, cache.fills.lead(flow.key));
    }
    res.logSuffix = `${upstreamMs}ms REVALIDATED`;
    return res;
  }
  if (entry && status === 304) {
    ctx.stats.count("cache.mismatched_304"); // RFC 9111 §4.3.3: a 304 for another representation: fetch it whole
    return await fetchForCache(flow, MISS, release);
  }
  if (
    entry && SERVER_ERRORS.has(status) &&
    staleOnError(entry, req.head.headers, responseTime)
  ) {
    await up.body.cancel();
    release?.();
    return await staleInsteadOfError(flow, entry, responseTime, status) ??
      withStatus(relayResponse(up, req.receivedAt), {
        hit: false,
        fwd,
        fwdStatus: status,
      }, "MISS");
  }
  ctx.stats.count("cache.misses");
  const isHead = req.head.method === "HEAD";
  if (isHead && entry && status === 200 && !up.trailingBytes) {
    await updateFromHead(
      ctx,
      cache,
      entry,
      up.head.headers,
      started,
      responseTime,
    ); // RFC 9111 §4.3.5
  }
  const fill = {
    key: flow.key,
    sent: sent.headers,
    requestTime: started,
    responseTime,
    replaces: isHead ? undefined : entry,
    release,
  };
  const res = await storeOrPass(ctx, cache, req, up, fill);
  const out = relayResponse(up, req.receivedAt);
  if (out.body !== null) out.body = res.body; // teed into the store, or read ahead
  withStatus(
    out,
    { ...res.status, fwd, fwdStatus: status },
    "MISS",
    upstreamMs,
  );
  res.whenSettled?.((outcome) => {
    if (outcome !== "stored") logResult(out, "MISS-NOT-STORED", upstreamMs); // the log says what Cache-Status could not
  });
  return out;
}

/** The upstream could not be reached: stale if allowed, else 502/504. */
async function upstreamFailed(
  flow: CacheFlow,
  entry: EntryMeta | undefined,
  e: UpstreamError,
  started: number,
): Promise<OutgoingResponse> {
  const now = Date.now();
  if (entry && staleOnError(entry, flow.req.head.headers, now)) {
    const stale = await staleInsteadOfError(flow, entry, now, undefined);
    if (stale) return stale;
  }
  const res = upstreamErrorResponse(flow.ctx, {
    error: e,
    now: flow.req.receivedAt,
  });
  if (entry) res.status = 504; // RFC 9111 §4.2.4: stale, not allowed to serve it, and no origin
  const status = {
    hit: false,
    fwd: entry ? "stale" : "miss",
    detail: e.failure,
  } as const;
  return withStatus(res, status, "MISS", now - started);
}

/** Serves a stale entry because the upstream failed (RFC 5861 §4); undefined when its body is gone. */
async function staleInsteadOfError(
  flow: CacheFlow,
  entry: EntryMeta,
  now: number,
  upstreamStatus: number | undefined,
): Promise<OutgoingResponse | undefined> {
  flow.ctx.stats.count("cache.stale_if_error");
  const ttl = Math.floor((entry.freshUntil - now) / 1000);
  return await serveStored(flow, entry, currentAge(entry, now), "STALE", {
    hit: false,
    fwd: "stale",
    fwdStatus: upstreamStatus,
    ttl,
    detail: "stale-if-error",
  });
}

/** A request passed through: it may have no key (then nothing is invalidated). */
export type PassFlow = Omit<CacheFlow, "key"> & { key: string | undefined };

/**
 * Forwards an unsafe request (or one with origin-only preconditions) and
 * invalidates what it changed on success (RFC 9111 §4.4).
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
      { hit: false, fwd },
      "BYPASS",
      Date.now() - started,
    );
  }
  if (flow.key !== undefined) {
    await invalidateAfter(ctx, flow.cache, req, flow.key, up.head);
  }
  ctx.stats.count("cache.bypass");
  const res = relayResponse(up, req.receivedAt);
  return withStatus(
    res,
    { hit: false, fwd, fwdStatus: up.head.status },
    "BYPASS",
    Date.now() - started,
  );
}

/** Replaces the client's validators by the stored entry's (RFC 9111 §4.3.1). */
function useOwnValidators(
  fields: FieldList,
  conditional: [string, string][],
): void {
  for (const name of CLIENT_VALIDATORS) fields.delete(name);
  for (const [name, value] of conditional) fields.append(name, value);
}
