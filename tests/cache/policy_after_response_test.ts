import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  afterFailure,
  afterResponse,
  type Exchange,
  type ResponseOutcome,
  type StoreOptions,
} from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

const OPTIONS: StoreOptions = { maxObjectBytes: 1_000_000, skipBinary: false };
const ETAG: Field = ["ETag", '"v1"'];

/** A stored 200, stale at 10 s, with an ETag. */
function storedEntry(extra: Field[] = [], request: Field[] = []): EntryMeta {
  const entry = stored({
    headers: [
      ["Date", dateAt(0)],
      ["Cache-Control", "max-age=1"],
      ETAG,
      ["Content-Length", "5"],
      ...extra,
    ],
    request,
  });
  return { ...entry, bodySize: 5 };
}

interface Case {
  method?: string;
  request?: Field[];
  status: number;
  response: Field[];
  revalidated?: EntryMeta;
  trailingBytes?: boolean;
}

function outcomeOf(c: Case): ResponseOutcome {
  const x: Exchange = {
    key: "http://origin.test/x",
    method: c.method ?? "GET",
    requestFields: fields(...(c.request ?? [])),
    status: c.status,
    reason: c.status === 304 ? "Not Modified" : "OK",
    responseFields: fields(...c.response),
    requestTime: at(10),
    responseTime: at(10),
    trailingBytes: c.trailingBytes,
  };
  return afterResponse(x, { revalidated: c.revalidated, options: OPTIONS });
}

function header(entry: EntryMeta, name: string): string[] {
  return entry.headers.filter(([n]) => n.toLowerCase() === name).map((
    [, v],
  ) => v);
}

Deno.test("afterResponse() stores a new storable response with its draft (RFC 9111 §3)", () => {
  const o = outcomeOf({
    status: 200,
    response: [["Date", dateAt(10)], ["Cache-Control", "max-age=60"], [
      "Connection",
      "X-Hop",
    ], ["X-Hop", "1"]],
  });
  assert.equal(o.kind, "store");
  if (o.kind !== "store") return;
  assert.equal(o.draft.key, "http://origin.test/x");
  assert.equal(o.draft.freshUntil, at(70));
  assert.deepEqual(o.draft.headers, [["Date", dateAt(10)], [
    "Cache-Control",
    "max-age=60",
  ]]); // RFC 9111 §3.1: hop-by-hop fields are not stored
});

Deno.test("afterResponse() supplies a Date to a stored response without one (RFC 9110 §6.6.1)", () => {
  const o = outcomeOf({
    status: 200,
    response: [["Cache-Control", "max-age=60"]],
  });
  assert.equal(o.kind, "store");
  if (o.kind === "store") {
    assert.deepEqual(o.draft.headers.at(-1), ["Date", dateAt(10)]);
  }
});

Deno.test("afterResponse() files the secondary key from the request as sent upstream (RFC 9111 §4.1)", () => {
  const o = outcomeOf({
    request: [["Accept-Language", "fr"]],
    status: 200,
    response: [["Cache-Control", "max-age=60"], ["Vary", "Accept-Language"]],
  });
  assert.equal(o.kind, "store");
  if (o.kind === "store") {
    assert.deepEqual(o.draft.vary, [["accept-language", "fr"]]);
  }
});

Deno.test("afterResponse() replaces the revalidated response with a storable full response (RFC 9111 §4.3.3)", () => {
  const entry = storedEntry();
  const o = outcomeOf({
    status: 200,
    response: [["Cache-Control", "max-age=60"], ["ETag", '"v2"']],
    revalidated: entry,
  });
  assert.equal(o.kind, "replace");
  if (o.kind === "replace") assert.equal(o.replaced, entry);
});

Deno.test("afterResponse() passes a response it may not store and says why (RFC 9111 §3)", () => {
  const rows: [Field[], Field[], string][] = [
    [[], [["Cache-Control", "no-store"]], "no-store"],
    [[], [["Cache-Control", "private, max-age=60"]], "private"],
    [
      [["Cache-Control", "no-store"]],
      [["Cache-Control", "max-age=60"]],
      "no-store",
    ],
    [
      [],
      [["Cache-Control", "max-age=60"], ["Set-Cookie", "a=1"]],
      "set-cookie",
    ],
  ];
  for (const [request, response, detail] of rows) {
    assert.deepEqual(outcomeOf({ request, status: 200, response }), {
      kind: "pass",
      detail,
    });
  }
});

Deno.test("afterResponse() removes the revalidated response when a full non-5xx response cannot replace it, and keeps it after a 5xx (RFC 9111 §4.3.3)", () => {
  // RFC 9111 §4.3.3: "A full response ... indicates that none of the
  // stored responses nominated in the conditional request are suitable."
  // Until issue 10's review (doubt D5) only a 2xx removed it, and a 404
  // here was a pass: an unstorable 3xx or 4xx left the outdated 200 to
  // be served stale later (max-stale, stale-if-error, a disconnect).
  const entry = storedEntry();
  const cases: [number, Field[], string][] = [
    [200, [["Cache-Control", "no-store"]], "remove"],
    [204, [["Cache-Control", "private"]], "remove"],
    [301, [["Cache-Control", "no-store"]], "remove"],
    [302, [], "remove"], // not heuristically cacheable, no freshness
    [403, [], "remove"],
    [404, [["Cache-Control", "no-store"]], "remove"],
    [499, [], "remove"],
    [500, [], "pass"], // RFC 5861 §4: a server error may stand in for stale
    [501, [["Cache-Control", "no-store"]], "pass"],
    [503, [], "pass"],
  ];
  for (const [status, response, kind] of cases) {
    const o = outcomeOf({ status, response, revalidated: entry });
    assert.equal(o.kind, kind, `${status}`);
    if (o.kind === "remove") assert.equal(o.entry, entry, `${status}`);
  }
  // A response to HEAD has no content: it is not a full response.
  const head = outcomeOf({
    method: "HEAD",
    status: 404,
    response: [],
    revalidated: entry,
  });
  assert.equal(head.kind, "pass");
});

Deno.test("afterResponse() serves stale instead of a 500-504 only when stale-if-error allows it (RFC 5861 §4)", () => {
  const allowing = storedEntry([["Cache-Control", "stale-if-error=60"]]);
  for (const status of [500, 502, 503, 504]) {
    assert.deepEqual(
      outcomeOf({ status, response: [], revalidated: allowing }),
      { kind: "serve-stale", entry: allowing, detail: "stale-if-error" },
    );
  }
  assert.notEqual(
    outcomeOf({ status: 501, response: [], revalidated: allowing }).kind,
    "serve-stale",
  );
  const silent = storedEntry();
  assert.notEqual(
    outcomeOf({ status: 503, response: [], revalidated: silent }).kind,
    "serve-stale",
  );
});

Deno.test("afterResponse() freshens the stored response a matching 304 identifies (RFC 9111 §4.3.4)", () => {
  const entry = storedEntry([["X-Old", "1"]]);
  const o = outcomeOf({
    status: 304,
    response: [["Date", dateAt(10)], ETAG, ["Cache-Control", "max-age=60"], [
      "X-New",
      "2",
    ]],
    revalidated: entry,
  });
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.equal(o.previous, entry);
  assert.equal(o.answer, "stored");
  assert.equal(o.persist, true);
  assert.equal(o.rekeyed, false);
  assert.deepEqual(header(o.entry, "x-new"), ["2"]);
  assert.deepEqual(header(o.entry, "x-old"), ["1"]);
  assert.equal(o.entry.freshUntil, at(70));
});

Deno.test("afterResponse() refetches when a 304's validator matches no stored response (RFC 9111 §4.3.4)", () => {
  const entry = storedEntry();
  assert.deepEqual(
    outcomeOf({
      status: 304,
      response: [["ETag", '"other"']],
      revalidated: entry,
    }),
    { kind: "refetch" },
  );
});

Deno.test("afterResponse() refetches when a matching 304 has bytes right behind it: it may answer another request (RFC 9111 §4.3.4)", () => {
  const entry = storedEntry();
  assert.deepEqual(
    outcomeOf({
      status: 304,
      response: [["Date", dateAt(10)], ETAG],
      revalidated: entry,
      trailingBytes: true,
    }),
    { kind: "refetch" },
  );
});

Deno.test("afterResponse() passes a matching 200 to HEAD with bytes right behind it without updating the stored response (RFC 9111 §4.3.5)", () => {
  const entry = storedEntry();
  assert.deepEqual(
    outcomeOf({
      method: "HEAD",
      status: 200,
      response: [["Date", dateAt(10)], ETAG, ["Content-Length", "5"]],
      revalidated: entry,
      trailingBytes: true,
    }),
    { kind: "pass", detail: "method" },
  );
});

Deno.test("afterResponse() passes a 304 nobody stored anything for (RFC 9111 §3)", () => {
  assert.deepEqual(outcomeOf({ status: 304, response: [ETAG] }), {
    kind: "pass",
    detail: "status",
  });
});

/** The fields a 304 or a HEAD 200 adds, and the storing rule they break (RFC 9111 §3 on the updated response). */
const BREAKING_UPDATES: [string, Field[], string][] = [
  ["Set-Cookie", [["Set-Cookie", "session=abc"]], "set-cookie"],
  ["private", [["Cache-Control", "private, max-age=600"]], "private"],
  ["no-store", [["Cache-Control", "no-store"]], "no-store"],
  ["Vary: *", [["Vary", "*"]], "vary-star"],
];

for (const [name, added, detail] of BREAKING_UPDATES) {
  Deno.test(`afterResponse() removes the stored response when a 304 adds ${name}, and answers from the update (RFC 9111 §3, §4.3.4)`, () => {
    const entry = storedEntry();
    const o = outcomeOf({
      status: 304,
      response: [["Date", dateAt(10)], ETAG, ...added],
      revalidated: entry,
    });
    assert.equal(o.kind, "remove");
    if (o.kind !== "remove") return;
    assert.equal(o.entry, entry);
    assert.equal(o.detail, detail);
    assert.ok(
      o.serve,
      "the current request is answered from the updated response",
    );
    for (const [field, value] of added) {
      assert.ok(header(o.serve!, field.toLowerCase()).includes(value));
    }
  });

  Deno.test(`afterResponse() removes the stored response when a 200 to HEAD adds ${name}, and relays it (RFC 9111 §3, §4.3.5)`, () => {
    const entry = storedEntry();
    const o = outcomeOf({
      method: "HEAD",
      status: 200,
      response: [["Date", dateAt(10)], ETAG, ["Content-Length", "5"], ...added],
      revalidated: entry,
    });
    assert.deepEqual(o, { kind: "remove", entry, serve: undefined, detail });
  });
}

Deno.test("afterResponse() re-keys the stored response when a 304 changes Vary (RFC 9111 §4.1, §4.3.4)", () => {
  const entry = storedEntry();
  const o = outcomeOf({
    request: [["Accept-Language", "de"]],
    status: 304,
    response: [ETAG, ["Vary", "Accept-Language"]],
    revalidated: entry,
  });
  assert.equal(o.kind, "freshen");
  if (o.kind !== "freshen") return;
  assert.equal(o.rekeyed, true);
  assert.deepEqual(o.entry.vary, [["accept-language", "de"]]);
  assert.deepEqual(entry.vary, []);
});

Deno.test("afterResponse() keeps the stored Vary values when a 304 repeats the same Vary (RFC 9111 §4.1)", () => {
  const entry = storedEntry([["Vary", "Accept-Language"]], [[
    "Accept-Language",
    "fr",
  ]]);
  const o = outcomeOf({
    request: [["Accept-Language", "fr"]],
    status: 304,
    response: [ETAG, ["Vary", "accept-language"]],
    revalidated: entry,
  });
  assert.equal(o.kind, "freshen");
  if (o.kind === "freshen") {
    assert.equal(o.rekeyed, false);
    assert.deepEqual(o.entry.vary, [["accept-language", "fr"]]);
  }
});

Deno.test("afterResponse() re-keys the stored response when a 200 to HEAD changes Vary (RFC 9111 §4.1, §4.3.5)", () => {
  const entry = storedEntry();
  const o = outcomeOf({
    method: "HEAD",
    request: [["Accept-Encoding", "gzip"]],
    status: 200,
    response: [ETAG, ["Vary", "Accept-Encoding"]],
    revalidated: entry,
  });
  assert.equal(o.kind, "freshen");
  if (o.kind === "freshen") {
    assert.equal(o.answer, "upstream");
    assert.equal(o.rekeyed, true);
    assert.deepEqual(o.entry.vary, [["accept-encoding", "gzip"]]);
  }
});

Deno.test("afterResponse() answers from an update the request forbade storing without storing or removing it (RFC 9111 §5.2.1.5, §3.5)", () => {
  const entry = storedEntry();
  for (
    const request of [[["Cache-Control", "no-store"]], [[
      "Authorization",
      "Basic eA==",
    ]]] as Field[][]
  ) {
    const o = outcomeOf({
      request,
      status: 304,
      response: [ETAG],
      revalidated: entry,
    });
    assert.equal(o.kind, "freshen");
    if (o.kind === "freshen") assert.equal(o.persist, false);
  }
});

Deno.test("afterResponse() freshens the stored GET response from a matching 200 to HEAD (RFC 9111 §4.3.5)", () => {
  const entry = storedEntry();
  const o = outcomeOf({
    method: "HEAD",
    status: 200,
    response: [["Date", dateAt(10)], ETAG, ["Content-Length", "5"], [
      "Cache-Control",
      "max-age=30",
    ]],
    revalidated: entry,
  });
  assert.equal(o.kind, "freshen");
  if (o.kind === "freshen") {
    assert.equal(o.answer, "upstream");
    assert.equal(o.entry.freshUntil, at(40));
  }
});

Deno.test("afterResponse() removes the stored GET response a 200 to HEAD does not describe (RFC 9111 §4.3.5)", () => {
  const entry = storedEntry();
  for (
    const response of [
      [["ETag", '"v2"']],
      [ETAG, ["Content-Length", "6"]],
      [],
    ] as Field[][]
  ) {
    assert.deepEqual(
      outcomeOf({ method: "HEAD", status: 200, response, revalidated: entry }),
      { kind: "remove", entry, detail: "outdated" },
    );
  }
});

Deno.test("afterResponse() invalidates the target and same-origin locations after an unsafe method succeeds (RFC 9111 §4.4)", () => {
  assert.deepEqual(
    outcomeOf({
      method: "POST",
      status: 201,
      response: [["Location", "/y"], [
        "Content-Location",
        "http://other.test/z",
      ]],
    }),
    {
      kind: "invalidate",
      keys: ["http://origin.test/x", "http://origin.test/y"],
    },
  );
  assert.deepEqual(outcomeOf({ method: "POST", status: 500, response: [] }), {
    kind: "pass",
    detail: "method",
  });
});

Deno.test("afterFailure() serves stale when stale-if-error allows it, else 504 with a stored response, else the failure's status (RFC 9111 §4.2.4, RFC 5861 §4)", () => {
  const allowing = storedEntry([["Cache-Control", "stale-if-error=60"]]);
  assert.deepEqual(
    afterFailure({
      entry: allowing,
      requestFields: fields(),
      failureStatus: 502,
      now: at(10),
    }),
    {
      kind: "serve-stale",
      entry: allowing,
      detail: "stale-if-error",
    },
  );
  assert.deepEqual(
    afterFailure({
      entry: allowing,
      requestFields: fields(),
      failureStatus: 502,
      now: at(100),
    }),
    {
      kind: "fail",
      status: 504,
    },
  );
  assert.deepEqual(
    afterFailure({
      entry: undefined,
      requestFields: fields(),
      failureStatus: 502,
      now: at(10),
    }),
    {
      kind: "fail",
      status: 502,
    },
  );
  const forbidding = storedEntry([[
    "Cache-Control",
    "must-revalidate, stale-if-error=60",
  ]]);
  assert.deepEqual(
    afterFailure({
      entry: forbidding,
      requestFields: fields(),
      failureStatus: 502,
      now: at(10),
    }),
    {
      kind: "fail",
      status: 504,
    },
  );
});

Deno.test("afterResponse() never stores a response to a Range request other than the whole 200 or a 206 part, whatever its freshness (RFC 9110 §14.2, §15.5.17, RFC 9111 §4)", () => {
  // The key has no Range in it: a 416 (or any status that may depend on
  // the range) stored there would answer every request without one.
  const fresh: Field[] = [["Date", dateAt(10)], [
    "Cache-Control",
    "max-age=60",
  ]];
  const range: Field[] = [["Range", "bytes=999999-"]];
  const cases: [number, Field[], string][] = [
    [416, [...fresh, ["Content-Range", "bytes */20"]], "pass"],
    [404, fresh, "pass"],
    [301, [...fresh, ["Location", "/y"]], "pass"],
    [204, fresh, "pass"],
    [599, [...fresh, ["Cache-Control", "public"]], "pass"],
    [200, fresh, "store"], // RFC 9110 §14.2: the Range ignored, the whole representation
  ];
  for (const [status, response, kind] of cases) {
    const o = outcomeOf({ status, response, request: range });
    assert.equal(o.kind, kind, `${status}`);
    if (o.kind === "pass") assert.equal(o.detail, "range", `${status}`);
    const without = outcomeOf({ status, response }); // the same without Range
    assert.equal(without.kind, "store", `${status} without Range`);
  }
  // A revalidation's 416 outdates the stored response (RFC 9111 §4.3.3).
  const entry = storedEntry();
  const o = outcomeOf({
    status: 416,
    response: [...fresh, ["Content-Range", "bytes */20"]],
    request: range,
    revalidated: entry,
  });
  assert.deepEqual(o, { kind: "remove", entry, detail: "range" });
});
