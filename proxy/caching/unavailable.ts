/**
 * Owns serving while the store cannot be reached (a shared store's
 * backend down, paused or slower than its time limit: the store rejects
 * with StoreUnavailableError): looking up a key's variants with that
 * failure as a value (lookUp), and answering the request as a plain proxy
 * would (withoutStore): sent upstream as it came, relayed, nothing
 * stored, `Cache-Status: cachelab; fwd=uri-miss; fwd-status=N;
 * detail=store-unavailable` (RFC 9211 §2.2, §2.8), counted as
 * cache.without_store.
 *
 * Must not retry the store nor wait for it: the store bounds its calls
 * and reconnects by itself.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import { type Store, StoreUnavailableError } from "../../cache/store.ts";
import { isPending } from "../../cache/variants.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { relayResponse } from "../relay.ts";
import { sendUpstream } from "../relay.ts";
import { withStatus } from "../report.ts";
import { UpstreamError } from "../upstream/errors.ts";
import { upstreamFailed } from "./failed.ts";

/** The store could not be reached (lookUp). */
export const UNAVAILABLE: unique symbol = Symbol("store unavailable");

/** What lookUp() finds: the variants, or UNAVAILABLE. */
export type Found = readonly EntryMeta[] | typeof UNAVAILABLE;

/**
 * The stored variants of `key`, or UNAVAILABLE when the store rejects
 * with StoreUnavailableError; a promise only when the store answers with
 * one (a synchronous store's lookup gains no await). Other errors are
 * thrown as they come.
 */
export function lookUp(store: Store, key: string): Found | Promise<Found> {
  try {
    const found = store.variants(key);
    return isPending(found) ? found.catch(unavailableOr) : found;
  } catch (error) {
    return unavailableOr(error);
  }
}

function unavailableOr(error: unknown): typeof UNAVAILABLE {
  if (error instanceof StoreUnavailableError) return UNAVAILABLE;
  throw error;
}

/**
 * Answers a request for which the store cannot be reached as a plain
 * proxy: upstream without the cache's validators, the response relayed
 * unstored (an upstream failure answered as by any miss: 502 or 504).
 */
export async function withoutStore(flow: CacheFlow): Promise<OutgoingResponse> {
  const { ctx, req } = flow;
  ctx.stats.count("cache.without_store");
  const started = Date.now();
  try {
    const up = await sendUpstream(flow, flow.upstream);
    const upstreamMs = Date.now() - started;
    ctx.stats.count("cache.misses");
    const res = relayResponse(up, {
      now: req.receivedAt,
      viaName: ctx.viaName,
    });
    return withStatus(res, {
      status: {
        hit: false,
        fwd: "uri-miss", // RFC 9211 §2.2: it could not be looked up
        fwdStatus: up.head.status,
        detail: "store-unavailable", // RFC 9211 §2.8
      },
      result: "MISS",
      upstreamMs,
    });
  } catch (e) {
    if (!(e instanceof UpstreamError)) throw e;
    return await upstreamFailed(flow, {
      entry: undefined,
      error: e,
      started,
      fwd: "uri-miss",
    });
  }
}
