import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { fitValidators, varyMissTags } from "../../cache/sent_validators.ts";
import {
  SENT_VALIDATORS_MAX_BYTES,
  VARY_MISS_TAGS_MAX,
} from "../../cache/limits.ts";
import { decide } from "../../cache/policy.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { at, dateAt, fields, stored } from "./policy_fixtures.ts";

/** A stored variant `n` with `etag`, received `n` seconds after T0. */
function variant(n: number, etag: string | undefined, extra: Field[] = []) {
  const headers: Field[] = [
    ["Date", dateAt(n)],
    ["Cache-Control", "max-age=1"],
    ["Vary", "X-V"],
    ...extra,
  ];
  if (etag !== undefined) headers.push(["ETag", etag]);
  return {
    ...stored({ headers, request: [["X-V", String(n)]], requestAt: n }),
    bodyFile: `v${n}.body`,
    bodySize: 1,
  };
}

function lineBytes(value: string): number {
  return "If-None-Match: ".length + value.length + 2;
}

Deno.test("varyMissTags() lists the most recent variants' entity-tags first, at most VARY_MISS_TAGS_MAX, within SENT_VALIDATORS_MAX_BYTES (RFC 9111 §4.3.1, §4)", () => {
  const many = Array.from({ length: 40 }, (_, n) => variant(n, `"t${n}"`));
  const tags = varyMissTags(many)!;
  const listed = tags.value.split(", ");
  assert.equal(listed.length, VARY_MISS_TAGS_MAX);
  assert.deepEqual(listed.slice(0, 3), ['"t39"', '"t38"', '"t37"']);
  assert.deepEqual(tags.listed.map((e) => e.bodyFile).slice(0, 2), [
    "v39.body",
    "v38.body",
  ]);
  // Long tags: as many of the most recent as fit; one too long is skipped.
  const long = (n: number, size: number) => `"${String(n).repeat(size)}"`;
  const sized = [
    variant(1, long(1, 1500)),
    variant(2, long(2, 1500)),
    variant(3, long(3, 1500)),
    variant(4, long(4, 9000)), // the most recent, too long to send at all
  ];
  const fitted = varyMissTags(sized)!;
  assert.deepEqual(fitted.listed.map((e) => e.bodyFile), [
    "v3.body",
    "v2.body",
  ]);
  assert.ok(lineBytes(fitted.value) <= SENT_VALIDATORS_MAX_BYTES);
  assert.equal(varyMissTags([variant(1, long(1, 9000))]), undefined);
});

Deno.test("varyMissTags() never makes an If-None-Match line past SENT_VALIDATORS_MAX_BYTES, whatever the tags (RFC 9111 §4.3.1)", () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const count = 1 + random(80);
    const variants = Array.from({ length: count }, (_, n) => {
      const size = 1 + random(random(2) === 0 ? 40 : 5000);
      const weak = random(3) === 0 ? "W/" : "";
      return variant(n, `${weak}"${"x".repeat(size)}${n % 7}"`);
    });
    const tags = varyMissTags(variants);
    if (tags === undefined) continue;
    assert.ok(
      lineBytes(tags.value) <= SENT_VALIDATORS_MAX_BYTES,
      `round ${round}`,
    );
    const listed = new Set(tags.value.split(", "));
    assert.ok(listed.size <= VARY_MISS_TAGS_MAX, `round ${round}`);
    for (const entry of tags.listed) {
      const etag = entry.headers.find(([n]) => n === "ETag")![1];
      assert.ok(
        listed.has(etag),
        `round ${round}: ${entry.bodyFile} not listed`,
      );
    }
  }
});

Deno.test("fitValidators() leaves out a conditional field that would take the cache's additions past SENT_VALIDATORS_MAX_BYTES, in order (RFC 9111 §4.3.1)", () => {
  const big: [string, string] = ["If-None-Match", `"${"x".repeat(5000)}"`];
  const ims: [string, string] = ["If-Modified-Since", dateAt(0)];
  assert.deepEqual(fitValidators([big, ims]), [ims]);
  assert.deepEqual(fitValidators([["If-None-Match", '"a"'], ims]), [
    ["If-None-Match", '"a"'],
    ims,
  ]);
});

Deno.test("decide() revalidates without an entity-tag too long to send, and forwards a range a partial entry cannot fill under an If-Range that fits (RFC 9111 §4.3.1, §3.4)", () => {
  const tag = `"${"x".repeat(5000)}"`;
  const lm = dateAt(-3600);
  const entry = variant(0, tag, [["Last-Modified", lm]]);
  const d = decide("GET", fields(["X-V", "0"]), [entry], at(10));
  assert.equal(d.kind, "revalidate");
  if (d.kind === "revalidate") {
    assert.deepEqual(d.conditional, [["If-Modified-Since", lm]]);
  }
  const part: EntryMeta = {
    ...entry,
    partial: {
      validator: tag,
      length: 100,
      pieces: [{ start: 0, end: 9, file: "v0.body" }],
    },
    bodySize: 10,
    bodyFile: "v0.body",
  };
  const range = fields(["X-V", "0"], ["Range", "bytes=0-49"]);
  assert.deepEqual(decide("GET", range, [part], at(0)), {
    kind: "miss",
    detail: "partial",
  });
});
