/**
 * Owns acting on a 304 that selected a stored variant for a vary-miss
 * (afterResponse()'s `select` outcome, RFC 9111 §4.3.4): the stored
 * responses it identified updated (or removed), the selected one served
 * to this request (REVALIDATED), and a new variant filed for this
 * request's Vary values with a copy of the selected response's body, in
 * the background (tracked, so shutdown waits for it); a copy whose 304
 * came on a connection found out of step is not committed, or removed.
 * Nothing is written once the key was forgotten since the request went
 * upstream, nor over a response for the same variant that arrived later
 * (RFC 9111 §4).
 *
 * Must not decide what to update, serve or file: cache/after_selection.ts
 * does.
 */

import type { EntryMeta } from "../../cache/meta.ts";
import { storedIsNewer } from "../../cache/newest.ts";
import { withVariants } from "../../cache/variants.ts";
import {
  currentAge,
  type ResponseOutcome,
  ttlSeconds,
} from "../../cache/policy.ts";
import type { EntryDraft, EntryWriter } from "../../cache/store.ts";
import type { BodyReader, OutgoingResponse } from "../../http/types.ts";
import type { CacheFlow } from "../context.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { type Forwarded, removeCounted } from "./answers.ts";
import { writeUpdate } from "./others.ts";
import { serveStored } from "./stored.ts";
import type { Ticket } from "./tickets.ts";

/**
 * Acts on a `select` outcome: updates, the answer from the selected
 * response, the new variant, removals, in that order (the bodies are
 * opened before anything is removed). Undefined when the selected
 * response's body vanished (the flow then fetches it whole).
 */
export async function selected(
  flow: CacheFlow,
  selection: Forwarded & {
    outcome: Extract<ResponseOutcome, { kind: "select" }>;
  },
): Promise<OutgoingResponse | undefined> {
  const { ctx } = flow;
  const { outcome, up, responseTime, ticket } = selection;
  if (outcome.detail === "head-too-large") {
    ctx.stats.count("cache.head_too_large"); // not stored
  }
  let serve = outcome.serve;
  for (const update of outcome.updates) {
    const stored = await writeUpdate(flow, { update, up, ticket });
    if (update.entry === outcome.serve && stored) serve = stored;
  }
  const res = await serveStored(flow, {
    entry: serve,
    age: currentAge(serve, responseTime),
    result: "REVALIDATED",
    upstreamMs: selection.upstreamMs,
    revalidated: true, // RFC 9111 §5.2.2.4: just validated
    status: {
      hit: false,
      fwd: selection.fwd,
      fwdStatus: 304,
      ttl: ttlSeconds(serve, responseTime),
      detail: outcome.detail,
    },
  });
  if (!res) return undefined;
  ctx.stats.count("cache.revalidated");
  ctx.stats.count("cache.vary_selected");
  if (outcome.variant) {
    await fileVariant(flow, {
      source: serve,
      draft: outcome.variant,
      up,
      ticket,
    });
  }
  for (const gone of outcome.removals) {
    await removeCounted(flow, gone); // a failure counted, never thrown
    ctx.stats.count("cache.update_removed");
  }
  return res;
}

/**
 * Stores `draft` with the body of the stored response `source` (RFC 9111
 * §4.1: the variant for the request the 304 answered), in the background.
 * The source body is opened before this resolves, so removing `source`
 * afterwards does not cut the copy short.
 */
async function fileVariant(
  flow: CacheFlow,
  copy: {
    source: EntryMeta;
    draft: EntryDraft;
    up: UpstreamResponse;
    ticket: Ticket;
  },
): Promise<void> {
  const { ctx, cache } = flow;
  const { source, draft, ticket } = copy;
  const body = cache.store.memoryBody(source) ??
    await cache.store.openBody(source).catch(() => undefined);
  if (!body) return; // gone meanwhile: the next such request asks again
  const writer = cache.store.begin(draft);
  let outOfStep = false;
  let stopped = false;
  const done = copyBody(body, writer, {
    size: source.bodySize,
    go: () => !stopped && !outOfStep && !ticket.forgotten,
    mayCommit: () =>
      withVariants(
        cache.store.variants(draft.key),
        (stored) => !storedIsNewer(draft, stored), // RFC 9111 §4
      ),
  });
  ticket.holdUntil(done);
  copy.up.onOutOfStep(() => {
    outOfStep = true; // not committed yet: it will not be
    void done.then(async (stored) => {
      const filed = stored && await findFiled(flow, draft);
      if (!filed) return;
      ctx.stats.count("cache.out_of_step_removed");
      void cache.store.remove(filed).catch(() => {});
    }).catch(() => {}); // a store out of reach: nothing to remove now
  });
  void done.then((stored) => {
    ctx.stats.count(stored ? "cache.variant_filed" : "cache.variant_aborted");
  });
  cache.background.track({ done, stop: () => (stopped = true) });
}

/** Copies a body into a writer and commits it; false when it was not stored. */
async function copyBody(
  body: Uint8Array | BodyReader,
  writer: EntryWriter,
  how: {
    size: number;
    go: () => boolean;
    mayCommit: () => boolean | Promise<boolean>;
  },
): Promise<boolean> {
  try {
    if (body instanceof Uint8Array) {
      await writer.write(body);
    } else {
      for (let chunk = await body.read(); chunk; chunk = await body.read()) {
        if (!how.go()) throw new Error("Cannot file the variant: stopped");
        await writer.write(chunk); // written before the next read reuses it
      }
    }
    if (!how.go()) throw new Error("Cannot file the variant: stopped");
    const may = how.mayCommit();
    if (!(may instanceof Promise ? await may : may)) {
      throw new Error("Cannot file the variant: superseded");
    }
    return await writer.commit(how.size);
  } catch {
    if (!(body instanceof Uint8Array)) await body.cancel().catch(() => {});
    await writer.abort();
    return false;
  }
}

/** The stored entry made from this draft (same variant, same exchange times). */
async function findFiled(
  flow: CacheFlow,
  draft: EntryDraft,
): Promise<EntryMeta | undefined> {
  return (await flow.cache.store.variants(draft.key)).find((meta) =>
    meta.requestTime === draft.requestTime &&
    meta.responseTime === draft.responseTime &&
    JSON.stringify(meta.vary) === JSON.stringify(draft.vary)
  );
}
