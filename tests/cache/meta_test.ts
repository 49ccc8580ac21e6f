import assert from "../helpers/assert.ts";
import {
  type EntryMeta,
  META_VERSION,
  parseMeta,
  type Piece,
} from "../../cache/meta.ts";

const COMPLETE: EntryMeta = {
  version: META_VERSION,
  key: "http://m.example/x",
  vary: [],
  status: 200,
  reason: "OK",
  headers: [["ETag", '"v1"']],
  requestTime: 1_000,
  responseTime: 1_100,
  correctedInitialAge: 0,
  freshUntil: 2_000,
  keepUntil: null,
  bodySize: 300,
  bodyFile: "default-b.body",
};

const PARTIAL: EntryMeta = {
  ...COMPLETE,
  bodySize: 300,
  bodyFile: "default-b.body",
  partial: {
    validator: '"v1"',
    length: 1000,
    pieces: [
      { start: 0, end: 99, file: "default-a.body" },
      { start: 50, end: 249, file: "default-b.body" },
    ],
  },
};

/** Round-trips through JSON as a sidecar does. */
function reparse(meta: unknown): EntryMeta | undefined {
  return parseMeta(JSON.parse(JSON.stringify(meta)));
}

Deno.test("parseMeta() accepts a partial entry, and a sidecar without one", () => {
  assert.deepEqual(reparse(PARTIAL), PARTIAL);
  assert.deepEqual(reparse(COMPLETE), COMPLETE);
  const unknown = {
    ...PARTIAL,
    partial: { ...PARTIAL.partial!, length: null },
  };
  assert.deepEqual(reparse(unknown), unknown);
});

Deno.test("parseMeta() rejects a partial entry whose pieces do not add up", () => {
  const partial = PARTIAL.partial!;
  const [a, b] = partial.pieces as [Piece, Piece];
  const bad: [string, unknown][] = [
    ["no validator", { ...partial, validator: "" }],
    ["a zero length", { ...partial, length: 0 }],
    ["a text length", { ...partial, length: "1000" }],
    ["no pieces", { ...partial, pieces: [] }],
    ["pieces out of order", { ...partial, pieces: [b, a] }],
    ["a piece within another", {
      ...partial,
      pieces: [a, { ...b, start: 10, end: 60 }],
    }],
    ["a piece past the length", { ...partial, length: 200 }],
    ["a piece ending before it starts", {
      ...partial,
      pieces: [a, { ...b, start: 300, end: 299 }],
    }],
    ["two pieces in one file", {
      ...partial,
      pieces: [a, { ...b, file: a.file }],
    }],
    ["a piece file that is not a body", {
      ...partial,
      pieces: [a, { ...b, file: "../x.json" }],
    }],
  ];
  for (const [what, value] of bad) {
    assert.equal(reparse({ ...PARTIAL, partial: value }), undefined, what);
  }
  assert.equal(reparse({ ...PARTIAL, bodySize: 299 }), undefined, "bodySize");
  assert.equal(
    reparse({ ...PARTIAL, bodyFile: "default-c.body" }),
    undefined,
    "bodyFile names no piece",
  );
});
