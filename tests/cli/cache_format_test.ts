/**
 * Table tests of cli/cache_format.ts: sizes and durations for people,
 * the entries table's aligned columns and totals line, one entry's
 * variants and the totals.
 */

import assert from "../helpers/assert.ts";
import type { EntrySummary } from "../../admin/entries.ts";
import {
  entriesTable,
  entryText,
  formatDuration,
  formatSize,
  statsText,
} from "../../cli/cache_format.ts";

Deno.test("formatSize() gives bytes, then KiB, MiB and GiB with one decimal under 10", () => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [10 * 1024 + 600, "11 KiB"],
    [5 * 1024 ** 2, "5 MiB"],
    [3 * 1024 ** 3 + 1024 ** 3 / 4, "3.3 GiB"],
  ];
  for (const [bytes, text] of cases) assert.equal(formatSize(bytes), text);
});

Deno.test("formatDuration() gives s, m+s, h+m, d+h, and a sign once negative", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [59, "59s"],
    [60, "1m00s"],
    [725, "12m05s"],
    [3 * 3600 + 20 * 60 + 9, "3h20m"],
    [2 * 86400 + 4 * 3600, "2d04h"],
    [-30, "-30s"],
    [-3600, "-1h00m"],
  ];
  for (const [seconds, text] of cases) {
    assert.equal(formatDuration(seconds), text);
  }
});

function entry(over: Partial<EntrySummary>): EntrySummary {
  return {
    url: "http://a.test/x",
    via: null,
    vary: {},
    status: 200,
    bodySize: 10,
    storedAt: "2026-11-30T10:00:00.000Z",
    ageSeconds: 12,
    freshSeconds: 48,
    state: "fresh",
    hits: 3,
    ...over,
  };
}

Deno.test("entriesTable() aligns its columns, numbers to the right, and ends with the totals", () => {
  const text = entriesTable({
    entries: [
      entry({}),
      entry({
        url: "http://a.test/long/path",
        vary: { "accept-encoding": "gzip", "accept-language": null },
        via: "127.0.0.1:8080",
        status: 404,
        bodySize: 2048,
        ageSeconds: 700,
        freshSeconds: -640,
        state: "stale",
        hits: 12,
      }),
    ],
    more: true,
    total: { entries: 5, bytes: 20480 },
  }, "folder /c");
  assert.equal(
    text,
    [
      "URL                                                                                          STATUS   SIZE     AGE  FRESH LEFT  STATE  HITS",
      "http://a.test/x                                                                                 200   10 B     12s         48s  fresh     3",
      "http://a.test/long/path [accept-encoding=gzip, accept-language=(absent)] via 127.0.0.1:8080     404  2 KiB  11m40s     -10m40s  stale    12",
      "2 shown (more match: raise --limit); 5 entries, 20 KiB in the cache (folder /c)",
      "",
    ].join("\n"),
  );
});

Deno.test("entriesTable() prints only the totals line when nothing matched", () => {
  assert.equal(
    entriesTable({
      entries: [],
      more: false,
      total: { entries: 0, bytes: 0 },
    }, "admin http://127.0.0.1:1"),
    "0 shown; 0 entries, 0 B in the cache (admin http://127.0.0.1:1)\n",
  );
  assert.equal(
    entriesTable({
      entries: [],
      more: false,
      total: { entries: 1, bytes: 4160 },
    }, "folder /c"),
    "0 shown; 1 entry, 4.1 KiB in the cache (folder /c)\n",
  );
});

Deno.test("entryText() shows each variant with its values and stored fields", () => {
  const text = entryText({
    url: "http://a.test/x",
    variants: [
      {
        ...entry({ vary: { "accept-encoding": "br" } }),
        stored: { headers: [["Cache-Control", "max-age=60"]] },
      },
    ],
  });
  assert.equal(
    text,
    [
      "http://a.test/x",
      "",
      "variant 1 of 1",
      "  vary        accept-encoding=br",
      "  via         -",
      "  status      200",
      "  size        10 B (10 bytes)",
      "  stored at   2026-11-30T10:00:00.000Z",
      "  age         12s",
      "  fresh left  48s",
      "  state       fresh",
      "  hits        3",
      "  fields",
      "    Cache-Control: max-age=60",
      "",
    ].join("\n"),
  );
});

Deno.test("statsText() gives entries, bytes and where they were read", () => {
  assert.equal(
    statsText({ entries: 2, bytes: 8192 }, "folder /c"),
    "entries  2\nbytes    8 KiB (8192)\nsource   folder /c\n",
  );
});
