import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterResponse,
  asksUnheld,
  decide,
  type Decision,
  type StoreOptions,
  validatingFields,
} from "../../cache/policy.ts";
import type { EntryMeta, Piece } from "../../cache/meta.ts";
import { afterPartialContent } from "../../cache/partial_response.ts";
import { ifRangeValue } from "../../cache/partial.ts";
import type { Exchange, ResponseOutcome } from "../../cache/outcomes.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const LM = "Sun, 31 Dec 2023 12:00:00 GMT";
const OPTIONS: StoreOptions = { maxObjectBytes: 100_000, skipBinary: false };

/** A partial entry of a 10000-byte representation, received at T0, holding `pieces`. */
function partialEntry(
  pieces: [number, number][],
  headers: Field[] = [["Cache-Control", "max-age=60"], ["ETag", '"v1"']],
  options: { validator?: string; length?: number | null } = {},
): EntryMeta {
  const entry = stored({
    headers: [["Date", dateAt(0)], ["Content-Length", "10000"], ...headers],
  });
  const list: Piece[] = pieces.map(([start, end], i) => ({
    start,
    end,
    file: `p${i}.body`,
  }));
  return {
    ...entry,
    bodySize: list.reduce((n, p) => n + p.end - p.start + 1, 0),
    bodyFile: list.at(-1)!.file,
    partial: {
      validator: options.validator ?? '"v1"',
      length: options.length === undefined ? 10_000 : options.length,
      pieces: list,
    },
  };
}

function run(
  entry: EntryMeta,
  req: Field[],
  nowSeconds = 1,
  method = "GET",
): Decision {
  return decide(method, fields(...req), [entry], at(nowSeconds));
}

Deno.test("decide() serves a range a fresh partial entry holds (RFC 9111 §3.3)", () => {
  const entry = partialEntry([[0, 999], [2000, 2999]]);
  for (const range of ["bytes=100-199", "bytes=0-999", "bytes=2500-2999"]) {
    const d = run(entry, [["Range", range]], 1);
    assert.equal(d.kind, "fresh", range);
  }
  const whole = partialEntry([[0, 9999]]);
  assert.equal(run(whole, [["Range", "bytes=-100"]]).kind, "fresh");
});

Deno.test("decide() judges a held range of a partial entry for freshness like a complete entry: stale, no-cache (RFC 9111 §4.2, §4.3.1, §5.2.1.4)", () => {
  const entry = partialEntry([[0, 999]]);
  assert.deepEqual(run(entry, [["Range", "bytes=0-99"]], 120), {
    kind: "revalidate",
    entry,
    conditional: [["If-None-Match", '"v1"']], // RFC 9111 §4.3.1: no If-Modified-Since for a subrange
    fwd: "stale",
    why: "stale",
  });
  const noCache = run(entry, [["Range", "bytes=0-99"], [
    "Cache-Control",
    "no-cache",
  ]]);
  assert.equal(noCache.kind, "revalidate");
  const lastModified = partialEntry(
    [[0, 999]],
    [["Cache-Control", "max-age=60"], ["Last-Modified", LM]],
    { validator: LM },
  );
  const d = run(lastModified, [["Range", "bytes=0-99"]], 120);
  assert.equal(d.kind, "revalidate");
  if (d.kind === "revalidate") {
    assert.deepEqual(d.conditional, [["If-Range", LM]]); // RFC 9111 §4.3.1: its validator
  }
  const swr = partialEntry([[0, 999]], [[
    "Cache-Control",
    "max-age=60, stale-while-revalidate=600",
  ], ["ETag", '"v1"']]);
  assert.equal(
    run(swr, [["Range", "bytes=0-99"]], 120).kind,
    "stale-while-revalidate",
  );
});

Deno.test("decide() asks only for the missing bytes, under If-Range, when a partial entry holds part of the range (RFC 9111 §3.4, RFC 9110 §13.1.5)", () => {
  const entry = partialEntry([[0, 999], [2000, 2999]]);
  const cases: [string, [number, number], [number, number]][] = [
    ["bytes=500-1999", [500, 1999], [1000, 1999]],
    ["bytes=500-2499", [500, 2499], [1000, 1999]],
    ["bytes=500-3499", [500, 3499], [1000, 3499]], // one range: the held 2000-2999 comes again
    ["bytes=3000-", [3000, 9999], [3000, 9999]],
    ["bytes=-8000", [2000, 9999], [3000, 9999]],
  ];
  for (const [range, asked, missing] of cases) {
    for (const now of [1, 120]) { // fresh or stale: If-Range validates what is held
      assert.deepEqual(run(entry, [["Range", range]], now), {
        kind: "fill-range",
        entry,
        range: { start: asked[0], end: asked[1] },
        missing: { start: missing[0], end: missing[1] },
        conditional: [
          ["Range", `bytes=${missing[0]}-${missing[1]}`],
          ["If-Range", '"v1"'],
        ],
      }, `${range} at ${now} s`);
    }
  }
});

Deno.test("decide() misses a partial entry for a request without one range it can place (RFC 9111 §3.3, RFC 9110 §14.2, §13.1.5)", () => {
  const entry = partialEntry([[0, 999]]);
  const misses: [string, Field[], string?][] = [
    ["no Range", []],
    ["a HEAD", [["Range", "bytes=0-99"]], "HEAD"],
    ["several ranges", [["Range", "bytes=0-9,20-29"]]],
    ["an invalid Range", [["Range", "bytes=9-0"]]],
    ["another unit", [["Range", "items=0-9"]]],
    ["a range past the complete length", [["Range", "bytes=10000-"]]],
    ["an If-Range that does not match", [["Range", "bytes=0-99"], [
      "If-Range",
      '"v0"',
    ]]],
    ["a weak If-Range", [["Range", "bytes=0-99"], ["If-Range", 'W/"v1"']]],
  ];
  for (const [what, req, method] of misses) {
    assert.deepEqual(run(entry, req, 1, method), {
      kind: "miss",
      detail: "partial",
    }, what);
  }
  assert.equal(
    run(entry, [["Range", "bytes=0-99"], ["If-Range", '"v1"']]).kind,
    "fresh",
    "a matching If-Range",
  );
});

Deno.test("decide() places only closed ranges when a partial entry's complete length is unknown (RFC 9110 §14.1.2, §14.4)", () => {
  const entry = partialEntry([[0, 999]], undefined, { length: null });
  assert.equal(run(entry, [["Range", "bytes=10-99"]]).kind, "fresh");
  const fill = run(entry, [["Range", "bytes=900-1999"]]);
  assert.equal(fill.kind, "fill-range");
  for (const range of ["bytes=500-", "bytes=-100"]) {
    assert.deepEqual(run(entry, [["Range", range]]), {
      kind: "miss",
      detail: "partial",
    }, range);
  }
});

Deno.test("decide() answers only-if-cached with 504 when a partial entry lacks bytes of the range (RFC 9111 §5.2.1.7)", () => {
  const entry = partialEntry([[0, 999]]);
  const cached: Field = ["Cache-Control", "only-if-cached"];
  assert.deepEqual(run(entry, [["Range", "bytes=500-1999"], cached]), {
    kind: "only-if-cached-miss",
  });
  assert.deepEqual(run(entry, [cached]), { kind: "only-if-cached-miss" });
  assert.equal(run(entry, [["Range", "bytes=0-9"], cached]).kind, "fresh");
});

Deno.test("decide() lists no partial entry in a vary-miss If-None-Match (RFC 9111 §3.3, §4.3.1)", () => {
  const vary: Field[] = [
    ["Cache-Control", "max-age=60"],
    ["ETag", '"v1"'],
    ["Vary", "Accept-Language"],
  ];
  const part = {
    ...partialEntry([[0, 999]], vary),
    vary: [["accept-language", "fr"]] as [string, string | null][],
  };
  assert.deepEqual(
    decide("GET", fields(["Accept-Language", "de"]), [part], at(1)),
    { kind: "miss", detail: "vary-miss" },
  );
});

/** The outcome of a 206 (or another status) with these fields to a GET with these request fields. */
function partialOutcome(
  response: Field[],
  options: {
    request?: Field[];
    status?: number;
    revalidated?: EntryMeta;
    at?: number;
  } = {},
): ResponseOutcome {
  const x: Exchange = {
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(...(options.request ?? [["Range", "bytes=0-999"]])),
    status: options.status ?? 206,
    reason: "Partial Content",
    responseFields: fields(["Date", dateAt(options.at ?? 10)], ...response),
    requestTime: at(options.at ?? 10),
    responseTime: at(options.at ?? 10),
  };
  return afterPartialContent(x, {
    revalidated: options.revalidated,
    options: OPTIONS,
  });
}

const PART: Field[] = [
  ["Cache-Control", "max-age=60"],
  ["ETag", '"v1"'],
  ["Content-Type", "video/mp4"],
  ["Content-Range", "bytes 0-999/10000"],
  ["Content-Length", "1000"],
];

Deno.test("afterPartialContent() stores a 206 with a strong ETag as a part of the complete response (RFC 9111 §3.3, RFC 9110 §14.4)", () => {
  const outcome = partialOutcome(PART);
  assert.equal(outcome.kind, "store-partial");
  if (outcome.kind !== "store-partial") return;
  assert.deepEqual(outcome.range, { start: 0, end: 999 });
  assert.equal(outcome.combine, false);
  assert.equal(outcome.replaces, undefined);
  const { draft } = outcome;
  assert.deepEqual(draft.partial, { validator: '"v1"', length: 10_000 });
  assert.equal(draft.status, 200);
  assert.equal(draft.reason, "OK");
  assert.deepEqual(draft.headers, [
    ["Date", dateAt(10)],
    ["Cache-Control", "max-age=60"],
    ["ETag", '"v1"'],
    ["Content-Type", "video/mp4"],
    ["Content-Length", "10000"], // the complete length
  ]);
  assert.equal(draft.freshUntil, at(70));
});

Deno.test("afterPartialContent() takes a strong Last-Modified as validator, never a weak ETag or a Last-Modified as late as Date (RFC 9110 §8.8.2.2, §8.8.3)", () => {
  const base = PART.filter(([name]) => name !== "ETag");
  const strong = partialOutcome([...base, ["Last-Modified", LM]]);
  assert.equal(strong.kind, "store-partial");
  if (strong.kind === "store-partial") {
    assert.equal(strong.draft.partial.validator, LM);
  }
  // The stored validator is the key parts combine under (RFC 9111 §3.4);
  // beside a weak ETag it is never sent as If-Range (RFC 9110 §13.1.5,
  // ifRangeValue): such a part is filled and revalidated without If-Range.
  const both = partialOutcome([...base, ["ETag", 'W/"v1"'], [
    "Last-Modified",
    LM,
  ]]);
  assert.ok(
    both.kind === "store-partial" && both.draft.partial.validator === LM,
  );
  assert.equal(
    ifRangeValue({
      ...stored({ headers: [] }),
      ...both.draft,
      partial: {
        ...both.draft.partial,
        pieces: [{ start: 0, end: 999, file: "p.body" }],
      },
      bodySize: 1000,
      bodyFile: "p.body",
    }),
    undefined,
  );
  for (
    const weak of [
      [["ETag", 'W/"v1"']],
      [["Last-Modified", dateAt(10)]],
      [["Last-Modified", dateAt(11)]],
      [],
    ] as Field[][]
  ) {
    assert.deepEqual(partialOutcome([...base, ...weak]), {
      kind: "pass",
      detail: "no-validator",
    }, JSON.stringify(weak));
  }
});

Deno.test("afterPartialContent() combines with the partial entry it completes, the stored fields updated by the new ones (RFC 9111 §3.4, §3.2)", () => {
  const prior = partialEntry([[1000, 1999]], [
    ["Cache-Control", "max-age=60"],
    ["ETag", '"v1"'],
    ["X-Old", "kept"],
  ]);
  const outcome = partialOutcome(
    [
      ["Cache-Control", "max-age=120"],
      ["ETag", '"v1"'],
      ["Content-Range", "bytes 0-999/10000"],
    ],
    { revalidated: prior, at: 30 },
  );
  assert.equal(outcome.kind, "store-partial");
  if (outcome.kind !== "store-partial") return;
  assert.equal(outcome.combine, true);
  assert.equal(outcome.replaces, prior);
  const fieldsOf = new Map(
    outcome.draft.headers.map(([n, v]) => [n.toLowerCase(), v]),
  );
  assert.equal(fieldsOf.get("x-old"), "kept");
  assert.equal(fieldsOf.get("cache-control"), "max-age=120");
  assert.equal(fieldsOf.get("content-length"), "10000");
  assert.equal(fieldsOf.has("content-range"), false);
  assert.equal(outcome.draft.freshUntil, at(150));
  assert.equal(outcome.draft.partial.validator, '"v1"');
});

Deno.test("afterPartialContent() replaces a partial entry of another validator or length, and a complete entry it revalidated (RFC 9111 §3.4, §4.3.3)", () => {
  const other = partialEntry([[1000, 1999]], undefined, { validator: '"v0"' });
  const longer = partialEntry([[1000, 1999]], undefined, { length: 20_000 });
  const complete = { ...stored({ headers: [["ETag", '"v0"']] }), bodySize: 5 };
  for (const revalidated of [other, longer, complete]) {
    const outcome = partialOutcome(PART, { revalidated });
    assert.ok(outcome.kind === "store-partial");
    assert.equal(outcome.combine, false);
    assert.equal(outcome.replaces, revalidated);
  }
});

Deno.test("afterPartialContent() passes a 206 it cannot place (RFC 9110 §14.4, §15.3.7)", () => {
  const without = (name: string) => PART.filter(([n]) => n !== name);
  const cases: [string, Field[], Field[]?][] = [
    ["no Content-Range", without("Content-Range")],
    ["an unsatisfied Content-Range", [
      ...without("Content-Range"),
      ["Content-Range", "bytes */10000"],
    ]],
    ["a Content-Range past its length", [
      ...without("Content-Range"),
      ["Content-Range", "bytes 0-999/999"],
    ]],
    ["two Content-Ranges", [...PART, ["Content-Range", "bytes 0-999/10000"]]],
    ["a Content-Length other than the part's", [
      ...without("Content-Length"),
      ["Content-Length", "999"],
    ]],
    ["multipart/byteranges", [
      ...without("Content-Type"),
      ["Content-Type", "multipart/byteranges; boundary=x"],
    ]],
  ];
  for (const [what, response] of cases) {
    assert.deepEqual(partialOutcome(response), {
      kind: "pass",
      detail: "content-range",
    }, what);
  }
  assert.deepEqual(partialOutcome(PART, { request: [] }), {
    kind: "pass",
    detail: "status",
  }, "a 206 the request did not ask for");
});

Deno.test("afterPartialContent() passes a 206 whose complete response may not be stored, and removes the stored response it answered (RFC 9111 §3, §4.3.3)", () => {
  const replaced = (name: string, value: string): Field[] => [
    ...PART.filter(([n]) => n !== name),
    [name, value],
  ];
  const cases: [string, Field[], string][] = [
    ["no-store", replaced("Cache-Control", "no-store"), "no-store"],
    ["private", replaced("Cache-Control", "private"), "private"],
    [
      "a complete length over the limit",
      replaced("Content-Range", "bytes 0-999/100001"),
      "too-large",
    ],
    [
      "an unknown length past the limit",
      [
        ...PART.filter(([n]) =>
          n !== "Content-Range" && n !== "Content-Length"
        ),
        ["Content-Range", "bytes 100000-100009/*"],
      ],
      "too-large",
    ],
  ];
  for (const [what, response, detail] of cases) {
    assert.deepEqual(partialOutcome(response), { kind: "pass", detail }, what);
  }
  const unknown = partialOutcome([
    ...PART.filter(([n]) => n !== "Content-Range" && n !== "Content-Length"),
    ["Content-Range", "bytes 0-999/*"],
  ]);
  assert.ok(unknown.kind === "store-partial");
  assert.equal(unknown.draft.partial.length, null);
  assert.equal(
    unknown.draft.headers.some(([n]) => n.toLowerCase() === "content-length"),
    false,
  );
  const prior = partialEntry([[1000, 1999]]);
  assert.deepEqual(
    partialOutcome(replaced("Cache-Control", "no-store"), {
      revalidated: prior,
    }),
    { kind: "remove", entry: prior, detail: "no-store" },
  );
});

Deno.test("afterResponse() judges a 206 to a GET as a part of its representation, and a 200 to a fill-range replaces the part (RFC 9111 §3.3, §3.4, RFC 9110 §13.1.5)", () => {
  const x = (status: number, response: Field[]): Exchange => ({
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(["Range", "bytes=1000-1999"], ["If-Range", '"v1"']),
    status,
    reason: "",
    responseFields: fields(["Date", dateAt(10)], ...response),
    requestTime: at(10),
    responseTime: at(10),
  });
  const prior = partialEntry([[0, 999]]);
  const part = afterResponse(
    x(206, [...PART.filter(([n]) => n !== "Content-Range"), [
      "Content-Range",
      "bytes 1000-1999/10000",
    ]]),
    { revalidated: prior, options: OPTIONS },
  );
  assert.ok(part.kind === "store-partial" && part.combine);
  const changed = afterResponse(
    x(200, [["Cache-Control", "max-age=60"], ["ETag", '"v2"']]),
    { revalidated: prior, options: OPTIONS },
  );
  assert.ok(changed.kind === "replace" && changed.replaced === prior);
});

Deno.test("validatingFields() sends If-Range with a part's strong validator, If-None-Match only with a strong entity tag, and no If-Modified-Since for a subrange (RFC 9111 §4.3.1, RFC 9110 §13.1.5)", () => {
  const etagOnly: Field[] = [["ETag", '"v1"']];
  const both: Field[] = [["ETag", '"v1"'], ["Last-Modified", LM]];
  const lmOnly: Field[] = [["Last-Modified", LM]];
  const complete = (headers: Field[]) =>
    stored({ headers: [["Date", dateAt(0)], ...headers] });
  const cases: [string, EntryMeta, boolean, [string, string][]][] = [
    ["a complete response, whole", complete(both), false, [
      ["If-None-Match", '"v1"'],
      ["If-Modified-Since", LM],
    ]],
    [
      "a complete response, a subrange: the entity tag alone",
      complete(both),
      true,
      [
        ["If-None-Match", '"v1"'],
      ],
    ],
    [
      "a complete response with only Last-Modified, a subrange",
      complete(lmOnly),
      true,
      [
        ["If-Modified-Since", LM],
      ],
    ],
    ["a part with a strong ETag", partialEntry([[0, 999]], etagOnly), true, [
      ["If-None-Match", '"v1"'],
    ]],
    // RFC 9110 §13.1.5: "MUST NOT generate an If-Range header field
    // containing an HTTP-date unless the client has no entity tag for the
    // corresponding representation" (this row sent If-Range: LM before),
    // and never a weak entity-tag: no If-Range at all, a plain range
    // fetch whose 206 joins the part only with the same validators.
    [
      "a part with a weak ETag and a strong Last-Modified",
      partialEntry([[0, 999]], [["ETag", 'W/"v1"'], ["Last-Modified", LM]], {
        validator: LM,
      }),
      true,
      [],
    ],
    [
      "a part stored under Last-Modified to which a 304 added a strong ETag",
      partialEntry([[0, 999]], [["ETag", '"v2"'], ["Last-Modified", LM]], {
        validator: LM,
      }),
      true,
      [],
    ],
    [
      "a part with only Last-Modified",
      partialEntry([[0, 999]], lmOnly, { validator: LM }),
      true,
      [["If-Range", LM]],
    ],
  ];
  for (const [name, entry, subrange, expected] of cases) {
    assert.deepEqual(validatingFields(entry, subrange), expected, name);
  }
});

Deno.test("asksUnheld() says whether a request sent upstream asks a partial entry for bytes it lacks (RFC 9111 §3.4)", () => {
  const entry = partialEntry([[0, 999], [2000, 2999]]);
  const cases: [Field[], boolean][] = [
    [[["Range", "bytes=0-99"]], false],
    [[["Range", "bytes=2000-2999"]], false],
    [[["Range", "bytes=1000-1999"]], true],
    [[["Range", "bytes=900-1099"]], true],
    [[["Range", "bytes=9000-"]], true],
    [[["Range", "bytes=0-9,20-29"]], true],
    [[], true],
  ];
  for (const [sent, expected] of cases) {
    assert.equal(asksUnheld(entry, fields(...sent)), expected, String(sent));
  }
  const complete = stored({ headers: [["ETag", '"v1"']] });
  assert.equal(asksUnheld(complete, fields(["Range", "bytes=0-9"])), false);
});

Deno.test("afterResponse() refetches on a 304 to a fill-range, which brings none of the missing bytes, and freshens a held part on a 304 (RFC 9111 §3.4, §4.3.4)", () => {
  const prior = partialEntry([[0, 999]]);
  const x = (range: string, validators: Field[]): Exchange => ({
    key: "http://origin.test/x",
    method: "GET",
    requestFields: fields(["Range", range], ...validators),
    status: 304,
    reason: "Not Modified",
    responseFields: fields(["Date", dateAt(10)], ["ETag", '"v1"'], [
      "Cache-Control",
      "max-age=60",
    ]),
    requestTime: at(10),
    responseTime: at(10),
  });
  assert.deepEqual(
    afterResponse(x("bytes=1000-1999", [["If-Range", '"v1"']]), {
      revalidated: prior,
      stored: [prior],
      options: OPTIONS,
    }),
    { kind: "refetch" },
  );
  const held = afterResponse(
    x("bytes=0-99", [["If-None-Match", '"v1"']]),
    { revalidated: prior, stored: [prior], options: OPTIONS },
  );
  assert.equal(held.kind, "freshen");
});

Deno.test("ifRangeValue() gives a strong entity-tag, a date only when the part has no entity-tag, and nothing beside a weak one (RFC 9110 §13.1.5)", () => {
  const rows: [string, Field[], string, string | undefined][] = [
    ["a strong ETag that is the validator", [["ETag", '"v1"']], '"v1"', '"v1"'],
    ["a weak ETag only", [["ETag", 'W/"v1"']], 'W/"v1"', undefined],
    [
      "a weak ETag and a strong Last-Modified",
      [["ETag", 'W/"v1"'], ["Last-Modified", LM]],
      LM,
      undefined,
    ],
    [
      "a strong ETag that is not the validator (added by a 304)",
      [["ETag", '"v2"'], ["Last-Modified", LM]],
      LM,
      undefined,
    ],
    ["only a strong Last-Modified", [["Last-Modified", LM]], LM, LM],
  ];
  for (const [name, headers, validator, expected] of rows) {
    const entry = partialEntry([[0, 999]], headers, { validator });
    assert.equal(ifRangeValue(entry), expected, name);
  }
});

Deno.test("decide() fills a part with a weak ETag with its missing bytes alone, under no If-Range (RFC 9110 §13.1.5, RFC 9111 §3.4)", () => {
  const entry = partialEntry([[0, 999]], [
    ["Cache-Control", "max-age=60"],
    ["ETag", 'W/"v1"'],
    ["Last-Modified", LM],
  ], { validator: LM });
  const d = run(entry, [["Range", "bytes=0-1999"]]);
  assert.equal(d.kind, "fill-range");
  if (d.kind !== "fill-range") return;
  assert.deepEqual(d.conditional, [["Range", "bytes=1000-1999"]]);
});

Deno.test("afterPartialContent() joins a part asked without If-Range only when its entity-tag is the held one's, else it replaces the part (RFC 9111 §3.4, RFC 9110 §13.1.5)", () => {
  const held = partialEntry([[0, 999]], [
    ["Cache-Control", "max-age=60"],
    ["ETag", 'W/"v1"'],
    ["Last-Modified", LM],
  ], { validator: LM });
  const part = (etag: string) =>
    partialOutcome([
      ["Cache-Control", "max-age=60"],
      ["ETag", etag],
      ["Last-Modified", LM],
      ["Content-Range", "bytes 1000-1999/10000"],
      ["Content-Length", "1000"],
    ], { request: [["Range", "bytes=1000-1999"]], revalidated: held });
  const same = part('W/"v1"');
  assert.ok(same.kind === "store-partial" && same.combine, "same weak ETag");
  const other = part('W/"v2"');
  assert.ok(other.kind === "store-partial" && !other.combine, "another ETag");
});
