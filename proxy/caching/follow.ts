/**
 * Owns a request collapsed onto another one's fill of its key: it waits
 * (bounded) for what the leader does, and when the leader stores a
 * response this request may use as it is, answers from the entry as it
 * grows (each collapsed request at its own client's pace). Otherwise it
 * says "look again": the fill ended, failed, stores nothing this request
 * may use, or the request needs the stored entry (a Range, its own
 * validators), which it then waits for.
 *
 * Must not go upstream nor store: flow.ts does.
 */

import { decide } from "../../cache/policy.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import { collapsedResponse } from "./answers.ts";
import { type Fill, within } from "./collapsing.ts";

/**
 * The longest a request waits for another one filling its key before it
 * goes upstream itself (nginx's proxy_cache_lock_timeout is 5 s too).
 */
const COLLAPSE_WAIT_MS = 5000;
/** Request fields that need the stored entry, not a body as it grows. */
const PART_OR_CONDITION = ["range", "if-none-match", "if-modified-since"];

/**
 * Waits (bounded) for what the fill in flight does, and answers from it
 * when it stores a response this request may use as it is (a fresh one,
 * RFC 9111 §4.2, for its Vary values, §4.1) and the request asks for the
 * whole body unconditionally. A request with a Range or its own
 * validators waits for the fill to settle instead. Undefined: look again
 * (the fill ended, failed, or stores nothing this request may use).
 */
export async function follow(
  flow: CacheFlow,
  fill: Fill,
): Promise<OutgoingResponse | undefined> {
  const { ctx, req } = flow;
  const maxWaitMs = Math.min(COLLAPSE_WAIT_MS, ctx.config.responseTimeoutMs);
  const news = await within(fill.news, maxWaitMs);
  if (news?.kind !== "storing" || news.filling.outcome !== undefined) {
    return undefined; // nothing to read from, or already settled: look again
  }
  const decision = decide(
    req.head.method,
    req.head.headers,
    [news.entry],
    Date.now(),
    flow.upstream.headers,
  );
  const whole = !PART_OR_CONDITION.some((name) => req.head.headers.has(name));
  if (decision.kind === "fresh" && whole) {
    return collapsedResponse(flow, {
      entry: news.entry,
      age: decision.age,
      ttl: decision.ttl,
      filling: news.filling,
    });
  }
  await within(fill.released, maxWaitMs);
  return undefined;
}
