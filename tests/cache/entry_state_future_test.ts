/**
 * Review 13: a lab run with --cache-dir stores entries at moved times
 * (clock advanced); after a restart on the real clock those times lie in
 * the future. An entry must never have more freshness left than its
 * lifetime (RFC 9111 §4.2: freshness_lifetime - current_age, age >= 0).
 */

import assert from "../helpers/assert.ts";
import { entryClock } from "../../cache/entry_state.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";

Deno.test("entryClock() gives no more freshness than the lifetime when the entry was stored at a time later than now (a moved lab clock, then a restart)", () => {
  const hour = 3_600_000;
  const meta: EntryMeta = {
    version: META_VERSION,
    key: "http://a.example/lab/headers?Cache-Control=max-age%3D60",
    vary: [],
    status: 200,
    reason: "OK",
    headers: [["Cache-Control", "max-age=60"]],
    requestTime: 100_000 + hour,
    responseTime: 100_000 + hour,
    correctedInitialAge: 0,
    freshUntil: 160_000 + hour, // max-age=60 from the moved response time
    keepUntil: null,
    bodySize: 1,
    bodyFile: "default-1.body",
  };
  const clock = entryClock(meta, 100_000); // the real clock, an hour behind
  assert.ok(
    clock.freshSeconds <= 60,
    `${clock.freshSeconds} s left of a 60 s lifetime`,
  );
});
