/**
 * Owns the cache's decision on a response that updates stored responses
 * without a body: a 304 to a revalidation (RFC 9111 §4.3.4: every stored
 * response of the key it identifies is updated, identified.ts says
 * which) and a 200 to a HEAD (§4.3.5: the stored GET response), each
 * update judged by the storing rules again (RFC 9111 §3, §4.1).
 * A 304 to a vary-miss is after_selection.ts's.
 *
 * Pure: times are parameters; outcomes are returned, never acted on.
 * Must not read the clock, touch the store, files or sockets.
 */

import { FieldList } from "../http/headers.ts";
import { identifiedOnRevalidation } from "./identified.ts";
import type { EntryMeta } from "./meta.ts";
import { asksUnheld } from "./partial.ts";
import type {
  Exchange,
  OtherUpdates,
  Prior,
  ResponseOutcome,
} from "./outcomes.ts";
import { storability } from "./storable.ts";
import { storedHeadFits } from "./stored_head.ts";
import { freshen, headResponseMatches } from "./validation.ts";
import { varyNames, varyOf } from "./vary.ts";

/** Request fields that say nothing, to judge a response on its own. */
const NO_FIELDS = new FieldList();
/** No other stored response to update. */
const NO_OTHERS: OtherUpdates = { updates: [], removals: [] };

/** What the cache knew before a request that revalidated a stored response. */
export type Revalidation = Prior & { revalidated: EntryMeta };

/**
 * RFC 9111 §4.3.4: a 304 to the revalidation of `prior.revalidated`
 * updates every stored response of the key it identifies
 * (identifiedOnRevalidation(), among `prior.stored`): the revalidated one
 * answers the request, the others are `others`. Refetch when the request
 * asked a partial entry for bytes it lacks (a 304 brings none), or the 304
 * does not identify the revalidated response (nothing is updated then:
 * its validator matches no stored response, or, weak, a more recent one).
 */
export function afterNotModified(
  x: Exchange,
  prior: Revalidation,
): ResponseOutcome {
  const entry = prior.revalidated;
  // RFC 9111 §3.4: a 304 brings none of the bytes a partial entry lacks.
  if (asksUnheld(entry, x.requestFields)) return { kind: "refetch" };
  const identified = identifiedOnRevalidation(
    entry,
    prior.stored ?? [],
    x.responseFields,
  ); // RFC 9111 §4.3.4
  if (identified[0] !== entry) return { kind: "refetch" }; // RFC 9111 §4.3.4: no update
  const update = (stored: EntryMeta): EntryMeta =>
    freshen(stored, x.responseFields, x.requestTime, x.responseTime, {
      targets: prior.options.targets,
    });
  const outcome = judgeUpdate(x, {
    prior,
    updated: update(entry),
    answer: "stored",
  });
  const others = otherUpdates(x, {
    prior,
    updated: identified.slice(1).map((previous) => ({
      previous,
      entry: update(previous),
    })),
  });
  if (outcome.kind === "freshen" || outcome.kind === "remove") {
    return { ...outcome, others };
  }
  return outcome;
}

/** RFC 9111 §4.3.5: a 200 to HEAD freshens the stored GET response or outdates it. */
export function afterHead(x: Exchange, prior: Revalidation): ResponseOutcome {
  const entry = prior.revalidated;
  // RFC 9111 §4.3.5: validators or length differ: the stored one is outdated.
  if (!headResponseMatches(entry, x.responseFields)) {
    return { kind: "remove", entry, detail: "outdated" };
  }
  const merged = freshen(
    entry,
    x.responseFields,
    x.requestTime,
    x.responseTime,
    { targets: prior.options.targets },
  );
  return judgeUpdate(x, { prior, updated: merged, answer: "upstream" });
}

/**
 * An updated response is a response like any other (RFC 9111 §3, §4.1):
 * every storing rule runs again on the merged fields. A rule of the
 * response's own (no-store, private, Set-Cookie, Vary: *, ...) removes
 * the stored response; a rule of this request's (no-store, Authorization)
 * only keeps the update from being stored. A changed Vary files the entry
 * under the request that led to the update. `updated` is the stored
 * response `prior.revalidated` with the update's fields merged; `answer`
 * says what answers the request (the stored body, or the upstream's
 * response to a HEAD).
 */
function judgeUpdate(
  x: Exchange,
  update: {
    prior: Revalidation;
    updated: EntryMeta;
    answer: "stored" | "upstream";
  },
): ResponseOutcome {
  const { prior, updated, answer } = update;
  const entry = prior.revalidated;
  const fields = new FieldList(updated.headers);
  // RFC 9111 §3.2; our bound (stored_head.ts): an update that would take
  // the head past it is not stored; the stored response stays as it was
  // and, just validated, answers this request.
  if (!storedHeadFits(fields)) {
    return {
      kind: "freshen",
      entry,
      previous: entry,
      answer,
      persist: false,
      rekeyed: false,
      others: NO_OTHERS,
      detail: "head-too-large",
    };
  }
  const names = varyNames(fields);
  const rekeyed = !sameNames(names, entry.vary.map(([name]) => name));
  const merged: EntryMeta = rekeyed
    ? { ...updated, vary: varyOf(fields, x.requestFields) } // RFC 9111 §4.1
    : updated;
  // The stored response is a GET response (RFC 9111 §4.3.5 for HEAD).
  const own = storability(
    "GET",
    NO_FIELDS,
    entry.status,
    fields,
    prior.options,
  );
  if (!own.storable) {
    return {
      kind: "remove",
      entry,
      serve: answer === "stored" ? merged : undefined,
      detail: own.detail,
    };
  }
  const forRequest = storability(
    "GET",
    x.requestFields,
    entry.status,
    fields,
    prior.options,
  );
  return {
    kind: "freshen",
    entry: merged,
    previous: entry,
    answer,
    persist: forRequest.storable,
    rekeyed,
    others: NO_OTHERS,
  };
}

/**
 * The other stored responses a 304 identified, each updated (`updated`)
 * and judged again (RFC 9111 §3): one no longer storable on its own, or
 * whose Vary names the update changed (its own request's values are
 * unknown, RFC 9111 §4.1), is removed; one this request forbids storing
 * (RFC 9111 §5.2.1.5, §3.5) stays as it was.
 */
function otherUpdates(
  x: Exchange,
  judged: {
    prior: Revalidation;
    updated: { previous: EntryMeta; entry: EntryMeta }[];
  },
): OtherUpdates {
  const { options } = judged.prior;
  const updates: OtherUpdates["updates"] = [];
  const removals: EntryMeta[] = [];
  for (const { previous, entry } of judged.updated) {
    const fields = new FieldList(entry.headers);
    const status = previous.status;
    const own = storability("GET", NO_FIELDS, status, fields, options); // RFC 9111 §3
    if (!own.storable && own.detail === "head-too-large") continue; // stays as it was
    const names = previous.vary.map(([name]) => name);
    if (!own.storable || !sameNames(varyNames(fields), names)) {
      removals.push(previous); // RFC 9111 §3, §4.1
      continue;
    }
    const forRequest = storability(
      "GET",
      x.requestFields,
      status,
      fields,
      options,
    ); // RFC 9111 §5.2.1.5, §3.5
    if (forRequest.storable) updates.push({ previous, entry });
  }
  return { updates, removals };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
