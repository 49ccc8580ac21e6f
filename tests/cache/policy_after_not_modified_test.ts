/**
 * Table tests of a 304 to a revalidation when more than one response is
 * stored for the key (RFC 9111 §4.3.4): afterResponse() freshens the
 * revalidated response and names the other stored responses the 304
 * identified (`others`), each judged by the storing rules again (RFC
 * 9111 §3, §4.1), or refetches when it identifies nothing it may update.
 */

import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  type Exchange,
  type ResponseOutcome,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };

/** A stored variant for `language`, stale at 1 s, received `seconds` after T0. */
function variant(
  language: string,
  extra: Field[],
  seconds = 0,
): EntryMeta {
  return stored({
    headers: [
      ["Date", dateAt(seconds)],
      ["Cache-Control", "max-age=1"],
      ["Vary", "Accept-Language"],
      ...extra,
    ],
    request: [["Accept-Language", language]],
    requestAt: seconds,
  });
}

/** afterResponse() for a 304 to the revalidation of `revalidated` with `all` stored. */
function notModified(
  revalidated: EntryMeta,
  all: EntryMeta[],
  response: Field[],
  request: Field[] = [["Accept-Language", "en"]],
): ResponseOutcome {
  const x: Exchange = {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(...request),
    status: 304,
    reason: "Not Modified",
    responseFields: fields(["Date", dateAt(10)], ...response),
    requestTime: at(10),
    responseTime: at(10),
  };
  return afterResponse(x, { revalidated, stored: all, options: OPTIONS });
}

function header(entry: EntryMeta, name: string): string[] {
  return entry.headers.filter(([n]) => n.toLowerCase() === name)
    .map(([, v]) => v);
}

const STRONG: Field = ["ETag", '"v"'];
const FRESHER: Field = ["Cache-Control", "max-age=60"];

Deno.test("afterResponse() freshens every stored response with the 304's strong validator, not only the revalidated one (RFC 9111 §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const fr = variant("fr", [STRONG]);
  const de = variant("de", [["ETag", '"d"']]);
  const o = notModified(en, [en, fr, de], [STRONG, FRESHER, ["X-New", "1"]]);
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.equal(o.previous, en);
  assert.deepEqual(o.others.removals, []);
  assert.equal(o.others.updates.length, 1, "the French one, not the German");
  const [update] = o.others.updates;
  assert.equal(update!.previous, fr);
  assert.deepEqual(update!.entry.vary, fr.vary, "filed under its own values");
  assert.deepEqual(header(update!.entry, "x-new"), ["1"]);
  assert.equal(update!.entry.freshUntil, at(70));
  assert.equal(update!.entry.responseTime, at(10));
});

Deno.test("afterResponse() freshens only the revalidated response when no other stored response has the 304's strong validator (RFC 9111 §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const fr = variant("fr", [["ETag", '"f"']]);
  const o = notModified(en, [en, fr], [STRONG, FRESHER]);
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.deepEqual(o.others, { updates: [], removals: [] });
});

Deno.test("afterResponse() refetches and updates nothing when the 304 does not identify the revalidated response (RFC 9111 §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const fr = variant("fr", [["ETag", '"f"']]);
  assert.deepEqual(notModified(en, [en, fr], [["ETag", '"f"']]), {
    kind: "refetch",
  });
  const weakOld = variant("en", [["ETag", 'W/"w"']], 0);
  const weakNew = variant("fr", [["ETag", 'W/"w"']], 5);
  assert.deepEqual(
    notModified(weakOld, [weakOld, weakNew], [["ETag", 'W/"w"']]),
    { kind: "refetch" },
    "a weak validator identifies only the most recent match",
  );
  const bareEn = variant("en", []);
  const bareFr = variant("fr", []);
  assert.deepEqual(notModified(bareEn, [bareEn, bareFr], []), {
    kind: "refetch",
  }, "no validator and more than one stored response");
});

Deno.test("afterResponse() freshens only the most recent stored response a weak validator or Last-Modified identifies (RFC 9111 §4.3.4)", () => {
  const weakNew = variant("en", [["ETag", 'W/"w"']], 5);
  const weakOld = variant("fr", [["ETag", 'W/"w"']], 0);
  const weak = notModified(weakNew, [weakNew, weakOld], [
    ["ETag", 'W/"w"'],
    FRESHER,
  ]);
  assert.equal(weak.kind, "freshen");
  if (weak.kind !== "freshen") return;
  assert.deepEqual(weak.others, { updates: [], removals: [] });
  const lm = "Mon, 01 Jan 2024 10:00:00 GMT";
  const lmNew = variant("en", [["Last-Modified", lm]], 5);
  const lmOld = variant("fr", [["Last-Modified", lm]], 0);
  const modified = notModified(lmNew, [lmNew, lmOld], [
    ["Last-Modified", lm],
    FRESHER,
  ]);
  assert.equal(modified.kind, "freshen");
  if (modified.kind !== "freshen") return;
  assert.deepEqual(modified.others, { updates: [], removals: [] });
});

Deno.test("afterResponse() removes another identified stored response whose Vary names the update changes (RFC 9111 §4.1, §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const old = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ["Vary", "Accept-Language, Accept-Encoding"],
      STRONG,
    ],
    request: [["Accept-Language", "fr"], ["Accept-Encoding", "gzip"]],
  });
  const o = notModified(en, [en, old], [
    STRONG,
    FRESHER,
    ["Vary", "Accept-Language"],
  ]);
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.deepEqual(o.others, { updates: [], removals: [old] });
});

Deno.test("afterResponse() removes the revalidated and the other identified stored responses when the update makes them unstorable (RFC 9111 §3, §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const fr = variant("fr", [STRONG]);
  const o = notModified(en, [en, fr], [STRONG, ["Cache-Control", "no-store"]]);
  assert.equal(o.kind, "remove");
  if (o.kind !== "remove") return;
  assert.equal(o.entry, en);
  assert.deepEqual(o.others, { updates: [], removals: [fr] });
});

Deno.test("afterResponse() writes no other stored response's update when the request forbids storing (RFC 9111 §5.2.1.5, §4.3.4)", () => {
  const en = variant("en", [STRONG]);
  const fr = variant("fr", [STRONG]);
  const o = notModified(en, [en, fr], [STRONG, FRESHER], [
    ["Accept-Language", "en"],
    ["Cache-Control", "no-store"],
  ]);
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.equal(o.persist, false);
  assert.deepEqual(o.others, { updates: [], removals: [] });
});

Deno.test("afterResponse() freshens the revalidated response alone when nothing else is stored, with or without a validator in the 304 (RFC 9111 §4.3.4)", () => {
  const bare = variant("en", []);
  const o = notModified(bare, [bare], [FRESHER]);
  assert.equal(o.kind, "freshen");
  const en = variant("en", [STRONG]);
  const alone = notModified(en, [], [STRONG, FRESHER]);
  assert.equal(alone.kind, "freshen");
  if (alone.kind !== "freshen") return;
  assert.deepEqual(alone.others, { updates: [], removals: [] });
});
