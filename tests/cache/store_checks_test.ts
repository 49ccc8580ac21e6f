/**
 * Owns the tests of the stores' checks on what callers give them
 * (cache/store_checks.ts): checkDraft's schema guarantee without a JSON
 * round trip.
 *
 * Must not open a store.
 */

import assert from "../helpers/assert.ts";
import { checkDraft } from "../../cache/store_checks.ts";
import type { EntryDraft } from "../../cache/store.ts";
import { draft } from "./store_helpers.ts";

const KEY = "http://example.test/checks";

function rejects(bad: unknown): void {
  assert.throws(
    () => checkDraft(bad as EntryDraft),
    TypeError,
    "does not fit schema",
  );
}

Deno.test("checkDraft() accepts a valid draft and one with a field JSON leaves out", () => {
  checkDraft(draft(KEY));
  checkDraft({ ...draft(KEY), policyField: undefined });
});

Deno.test("checkDraft() throws when a header list has a hole (JSON would write null)", () => {
  const headers: [string, string][] = [["a", "1"]];
  headers.length = 2;
  rejects({ ...draft(KEY), headers });
});

Deno.test("checkDraft() throws when a field is inherited (JSON would not write it)", () => {
  const { key, ...rest } = draft(KEY);
  rejects(Object.assign(Object.create({ key }), rest));
});

Deno.test("checkDraft() throws when a time is not finite or a value has toJSON", () => {
  rejects({ ...draft(KEY), freshUntil: Infinity });
  rejects({ ...draft(KEY), keepUntil: new Date(0) });
  rejects({ ...draft(KEY), vary: Object.assign([], { toJSON: () => [] }) });
});

Deno.test("checkDraft() throws when a draft holds a cycle or a bigint", () => {
  const cyclic: Record<string, unknown> = { ...draft(KEY) };
  cyclic.extra = cyclic;
  rejects(cyclic);
  rejects({ ...draft(KEY), extra: 1n });
});

Deno.test("checkDraft() throws when a draft for a complete write is partial", () => {
  rejects({
    ...draft(KEY),
    partial: { validator: '"a"', length: 10, pieces: [] },
  });
});
