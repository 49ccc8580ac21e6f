/**
 * Owns the cache flow's answers when the upstream gave no usable
 * response: afterFailure()'s outcome turned into I/O when it could not be
 * reached (a stored response served stale, RFC 9111 §4.2.4, RFC 5861 §4,
 * or the 502/504), and a stale response standing in for a server error
 * (afterResponse()'s serve-stale). Each with its Cache-Status, log words
 * and counters.
 *
 * Must not decide whether stale may be served: cache/after_failure.ts and
 * cache/after_response.ts do.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import {
  afterFailure,
  currentAge,
  type ForwardReason,
  ttlSeconds,
} from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { upstreamErrorResponse } from "../relay.ts";
import { withStatus } from "../report.ts";
import {
  disconnection,
  failureStatus,
  type UpstreamError,
} from "../upstream/errors.ts";
import { serveStored } from "./stored.ts";

/** The upstream could not be reached: what afterFailure() says, stale or 502/504. */
export async function upstreamFailed(
  flow: CacheFlow,
  failed: {
    entry: EntryMeta | undefined;
    error: UpstreamError;
    started: number;
    /** Why the request went forward (a fill-range's is "partial"). */
    fwd: ForwardReason;
  },
): Promise<OutgoingResponse> {
  const failedAt = Date.now(); // real time: the upstream's duration
  const now = flow.ctx.clock.at(failedAt); // the cache's clock
  const failure = disconnection(failed.error.failure);
  const facts = {
    entry: failed.entry,
    requestFields: flow.req.head.headers,
    failureStatus: failureStatus(failed.error.failure),
    now,
  };
  const options = {
    // RFC 9111 §4.2.4: only a cache cut off from the origin (not one
    // given a bad response) may serve stale on its own authority.
    maxStaleOnErrorSeconds: failure ? flow.cache.maxStaleOnErrorSeconds : 0,
    failure,
  };
  const upstreamMs = failedAt - failed.started;
  for (const staleGone of [false, true]) {
    const outcome = afterFailure({ ...facts, staleGone }, options);
    switch (outcome.kind) {
      case "serve-stale": {
        const stale = await serveStale(flow, {
          entry: outcome.entry,
          now,
          detail: outcome.detail,
        });
        if (stale) return stale;
        continue; // its body is gone: afterFailure() says what then
      }
      case "fail":
        return failedResponse(flow, {
          ...failed,
          status: outcome.status,
          upstreamMs,
        });
    }
  }
  throw new Error(
    "Cannot answer the upstream failure: afterFailure() served a stale response that is gone",
  );
}

/**
 * Serves a stale entry because the upstream failed: it answered a server
 * error or could not be reached, and stale-if-error or max-stale allowed
 * it (`detail` "stale-if-error", RFC 5861 §4), or it could not be reached
 * and --max-stale-on-error allowed it (`detail` "stale-on-FAILURE", RFC
 * 9111 §4.2.4; no fwd-status then: no response came). Undefined when its
 * body is gone.
 */
export async function serveStale(
  flow: CacheFlow,
  how: { entry: EntryMeta; now: number; fwdStatus?: number; detail: string },
): Promise<OutgoingResponse | undefined> {
  const { entry, now, detail } = how;
  flow.ctx.stats.count(
    detail === "stale-if-error"
      ? "cache.stale_if_error"
      : "cache.stale_on_disconnect",
  );
  return await serveStored(flow, {
    entry,
    age: currentAge(entry, now),
    result: "STALE",
    status: {
      hit: false,
      fwd: "stale",
      fwdStatus: how.fwdStatus,
      ttl: ttlSeconds(entry, now),
      detail,
    },
  });
}

/** The 502/504 for an upstream failure, with `status` as afterFailure() said. */
export function failedResponse(
  flow: CacheFlow,
  failed: {
    entry: EntryMeta | undefined;
    error: UpstreamError;
    status: number;
    upstreamMs: number;
    fwd: ForwardReason;
  },
): OutgoingResponse {
  const { entry, error } = failed;
  const fwd = failed.fwd === "partial" ? "partial" : entry ? "stale" : "miss";
  const res = upstreamErrorResponse(flow.ctx, {
    error,
    now: flow.req.receivedAt,
  });
  res.status = failed.status;
  return withStatus(res, {
    status: {
      hit: false,
      fwd,
      detail: error.failure,
    },
    result: "MISS",
    upstreamMs: failed.upstreamMs,
  });
}
