/**
 * Owns putting a response the policy said to store into the store: the
 * writer begun with its draft, its body teed into the store as it streams
 * to the client, and the body read whole first when it is small, so that
 * Cache-Status can say whether it was stored.
 *
 * Must not decide whether to store (cache/after_response.ts does) nor
 * serve hits.
 */

import type { CacheStatusParams } from "../../cache/policy.ts";
import type { EntryDraft } from "../../cache/store.ts";
import type { BodyReader } from "../../http/types.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import type { CacheState } from "./state.ts";
import { readAhead, type StoreOutcome, StoringBody } from "./storing_body.ts";

export type { StoreOutcome } from "./storing_body.ts";

/**
 * Bodies up to this size are filled for the requests collapsed onto them:
 * they fit in the socket buffers, so a slow client does not slow the fill.
 */
const COLLAPSE_MAX_BYTES = 1024 * 1024;

/**
 * Bodies of a known length up to this size are read whole before the
 * response head goes out, so Cache-Status can say whether they were
 * stored; the writer sends such a body with its head in one write anyway.
 */
const READ_AHEAD_MAX_BYTES = 64 * 1024;

/** How a fill reports. */
export interface FillOptions {
  /** Called once, as soon as the fill ended: "stored", or why not. */
  onSettled: (outcome: StoreOutcome) => void;
}

/**
 * The body to relay and what Cache-Status says about storing it: `stored`
 * only for an entry already committed; a larger body streams while it is
 * stored (`detail=storing`).
 */
export interface FillResult {
  body: BodyReader | Uint8Array;
  status: Pick<CacheStatusParams, "stored" | "detail">;
  /**
   * What requests collapsed onto this fill wait for before they look
   * again; undefined when they need not wait (a large body fills at its
   * client's pace).
   */
  holdUntil?: Promise<unknown>;
}

/** Stores the upstream response under `draft` while relaying its body. */
export async function storeBody(
  cache: CacheState,
  fill: { up: UpstreamResponse; draft: EntryDraft },
  options: FillOptions,
): Promise<FillResult> {
  const { up, draft } = fill;
  const writer = cache.store.begin(draft);
  let outcome: StoreOutcome | undefined;
  const settled = Promise.withResolvers<StoreOutcome>();
  const settle = (o: StoreOutcome) => {
    outcome = o;
    options.onSettled(o);
    settled.resolve(o);
  };
  if (up.body.length === 0) {
    await up.body.read(); // completes the (empty) exchange so the connection is pooled
    if (up.trailingBytes) {
      await writer.abort(); // bytes right behind it: not trusted
      settle("untrusted");
    } else {
      settle(await writer.commit(0) ? "stored" : "failed");
    }
    return { body: up.body, status: settledStatus(outcome!) };
  }
  const body = new StoringBody(
    up.body,
    writer,
    {
      maxBytes: cache.options.maxObjectBytes,
      trusted: () => !up.trailingBytes,
    },
    settle,
  );
  if (up.body.length !== undefined && up.body.length <= READ_AHEAD_MAX_BYTES) {
    const whole = await readAhead(body);
    return { body: whole, status: settledStatus(outcome!) };
  }
  // A large (or unknown-length) body fills at its client's pace: requests
  // waiting for it would be held back by a slow reader, so they go now.
  const small = up.body.length !== undefined &&
    up.body.length <= COLLAPSE_MAX_BYTES;
  return {
    body,
    status: { detail: "storing" },
    holdUntil: small ? settled.promise : undefined,
  };
}

/** Cache-Status once the fill ended: `stored` (RFC 9211 §2.5), or why not. */
function settledStatus(
  outcome: StoreOutcome,
): Pick<CacheStatusParams, "stored" | "detail"> {
  return outcome === "stored"
    ? { stored: true }
    : { detail: `not-stored-${outcome}` };
}
