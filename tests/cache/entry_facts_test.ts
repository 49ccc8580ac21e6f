import assert from "../helpers/assert.ts";
import { factsOf } from "../../cache/entry_facts.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";

function entry(headers: [string, string][]): EntryMeta {
  return {
    version: META_VERSION,
    key: "http://a.test/",
    vary: [],
    status: 200,
    reason: "OK",
    headers,
    requestTime: 1_000_000,
    responseTime: 1_000_000,
    correctedInitialAge: 0,
    freshUntil: 2_000_000,
    keepUntil: null,
    bodySize: 0,
    bodyFile: "default-x.body",
  };
}

Deno.test("factsOf() derives fields, directives and Date once per entry object", () => {
  const e = entry([["Date", "Tue, 24 Nov 2026 10:00:00 GMT"], [
    "Cache-Control",
    "max-age=60, public",
  ]]);
  const facts = factsOf(e);
  assert.equal(facts.date, Date.UTC(2026, 10, 24, 10, 0, 0));
  assert.equal(facts.directives.seconds("max-age"), 60);
  assert.equal(facts.directives.has("public"), true);
  assert.equal(facts.fields.first("cache-control"), "max-age=60, public");
  assert.equal(factsOf(e), facts);
});

Deno.test("factsOf() gives a new entry object (a 304 refresh) its own facts", () => {
  const e = entry([["Cache-Control", "max-age=60"]]);
  const refreshed = {
    ...e,
    headers: [["Cache-Control", "no-cache"]] as [string, string][],
  };
  assert.equal(factsOf(e).directives.has("no-cache"), false);
  assert.equal(factsOf(refreshed).directives.has("no-cache"), true);
  assert.equal(factsOf(refreshed).date, refreshed.responseTime); // no Date: the response time
});
