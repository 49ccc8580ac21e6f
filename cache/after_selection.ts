/**
 * Owns the cache's decision on a 304 to a request that listed the
 * entity-tags of stored variants none of which matched its Vary values
 * (RFC 9111 §4.3.1): which stored responses the 304 identifies and
 * updates, which one answers the request, and how that answer is filed
 * for the request's own Vary values (RFC 9111 §4.1, §4.3.4).
 *
 * The origin's 304 says the representation it would send this request is
 * one already stored: the cache serves it (updated) and stores a new
 * variant for this request's secondary key with the same body, so the
 * next such request is a hit; the stored variant stays for the requests
 * it was selected by.
 *
 * Pure: outcomes are returned, never acted on. Must not read the clock,
 * touch the store, files or sockets.
 */

import { FieldList } from "../http/headers.ts";
import type { EntryMeta } from "./meta.ts";
import type { Exchange, Prior, ResponseOutcome } from "./outcomes.ts";
import { type Storability, storability } from "./storable.ts";
import { storedHeadFits } from "./stored_head.ts";
import { identifiedBy304, mostRecent } from "./identified.ts";
import { freshen } from "./validation.ts";
import { varyNames, varyOf } from "./vary.ts";

/** Request fields that say nothing, to judge a response on its own. */
const NO_FIELDS = new FieldList();

/**
 * RFC 9111 §4.3.4: a 304 to a vary-miss request that listed the
 * entity-tags of `prior.selectable`. Nothing identified: refetch. Otherwise the
 * most recent identified response, updated, answers the request; every
 * identified response is updated (each judged by the storing rules again,
 * RFC 9111 §3: one no longer storable is removed, as is one whose Vary
 * names changed, since its own request's values are unknown), and the
 * answer is filed under this request's Vary values unless this request
 * or the updated response forbids storing.
 */
export function afterSelection(
  x: Exchange,
  prior: Prior & { selectable: readonly EntryMeta[] },
): ResponseOutcome {
  const identified = identifiedBy304(prior.selectable, x.responseFields); // RFC 9111 §4.3.4
  const chosen = mostRecent(identified);
  if (chosen === undefined) return { kind: "refetch" }; // RFC 9111 §4.3.4: no update
  const update = (entry: EntryMeta): EntryMeta =>
    freshen(entry, x.responseFields, x.requestTime, x.responseTime, {
      targets: prior.options.targets,
    });
  const merged = update(chosen);
  // RFC 9111 §3.2; our bound (stored_head.ts): an update past it is not
  // stored, and the chosen response answers as it was stored.
  const fits = storedHeadFits(new FieldList(merged.headers));
  const serve = fits ? merged : chosen;
  const fields = new FieldList(serve.headers);
  const names = varyNames(fields);
  const judged = identified.map((previous) => {
    const entry = previous === chosen ? serve : update(previous);
    const own = storability(
      "GET",
      NO_FIELDS,
      previous.status,
      new FieldList(entry.headers),
      prior.options,
    ); // RFC 9111 §3: the update is judged like any response
    const sameVary = sameNames(names, previous.vary.map(([name]) => name));
    return { previous, entry, own, sameVary };
  });
  const chosenOwn = judged.find((j) => j.previous === chosen)!.own;
  const forRequest = storability(
    "GET",
    x.requestFields,
    chosen.status,
    fields,
    prior.options,
  ); // RFC 9111 §5.2.1.5, §3.5: this request may forbid storing
  const persist = fits && chosenOwn.storable && forRequest.storable;
  const tooLarge = (j: { own: Storability }) =>
    !j.own.storable && j.own.detail === "head-too-large"; // stays as it was
  const removals = judged
    .filter((j) => !tooLarge(j))
    .filter((j) => !j.own.storable || (persist && !j.sameVary))
    .map((j) => j.previous);
  if (!persist) {
    const detail = !fits
      ? "head-too-large"
      : !chosenOwn.storable
      ? chosenOwn.detail
      : !forRequest.storable
      ? forRequest.detail
      : undefined;
    return { kind: "select", serve, updates: [], removals, detail };
  }
  const updates = judged
    .filter((j) => j.own.storable && j.sameVary)
    .map(({ previous, entry }) => ({ previous, entry }));
  const { bodySize: _size, bodyFile: _file, ...draft } = serve;
  return {
    kind: "select",
    serve,
    updates,
    variant: { ...draft, vary: varyOf(fields, x.requestFields) }, // RFC 9111 §4.1
    removals,
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
