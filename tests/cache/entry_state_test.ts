import assert from "../helpers/assert.ts";
import { entryClock } from "../../cache/entry_state.ts";
import { type EntryMeta, META_VERSION } from "../../cache/meta.ts";

/** A stored response at responseTime 100 s, fresh for 60 s, with `cc` as Cache-Control. */
function meta(cc: string, extra: Partial<EntryMeta> = {}): EntryMeta {
  return {
    version: META_VERSION,
    key: "http://a.example/",
    vary: [],
    status: 200,
    reason: "OK",
    headers: [["Cache-Control", cc]],
    requestTime: 99_000,
    responseTime: 100_000,
    correctedInitialAge: 5,
    freshUntil: 155_000,
    keepUntil: null,
    bodySize: 1,
    bodyFile: "default-1.body",
    ...extra,
  };
}

Deno.test("entryClock() gives state, age and freshness left at a time", () => {
  const cases: [string, EntryMeta, number, ReturnType<typeof entryClock>][] = [
    ["fresh", meta("max-age=60"), 112_500, {
      state: "fresh",
      ageSeconds: 17, // corrected initial age 5 + resident 12 (RFC 9111 §4.2.3)
      freshSeconds: 42,
    }],
    ["stale at freshUntil", meta("max-age=60"), 155_000, {
      state: "stale",
      ageSeconds: 60,
      freshSeconds: 0,
    }],
    ["stale past it", meta("max-age=60"), 156_500, {
      state: "stale",
      ageSeconds: 61,
      freshSeconds: -2,
    }],
    [
      "no-cache before partial freshness",
      meta("no-cache, max-age=60"),
      101_000,
      {
        state: "no-cache",
        ageSeconds: 6,
        freshSeconds: 54,
      },
    ],
    [
      'qualified no-cache="X" is not no-cache',
      meta('no-cache="X", max-age=60'),
      101_000,
      {
        state: "fresh",
        ageSeconds: 6,
        freshSeconds: 54,
      },
    ],
    [
      "partial first",
      meta("no-cache", {
        partial: {
          validator: '"v"',
          length: 10,
          pieces: [{ start: 0, end: 0, file: "default-1.body" }],
        },
      }),
      101_000,
      { state: "partial", ageSeconds: 6, freshSeconds: 54 },
    ],
  ];
  for (const [name, entry, now, expected] of cases) {
    assert.deepEqual(entryClock(entry, now), expected, name);
  }
});
