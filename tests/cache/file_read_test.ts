/**
 * Owns the tests of opening an inline body (cache/file_read.ts) when the
 * sidecar changed between the lookup and the read: the body read back
 * must be the one the looked-up metadata describes, or none (a miss),
 * never a body of another length served under the old Content-Length
 * (review of issue 11).
 *
 * Must not test what the file store tests cover.
 */

import assert from "../helpers/assert.ts";
import { entryBase } from "../../cache/file_layout.ts";
import { fileFixture } from "./file_fixture.ts";
import { bodyBytes, draft, put, readAll } from "./store_helpers.ts";

const KEY = "http://read-between.example/x";

/** Rewrites the sidecar at `path` with `bodySize` and an inline body of that length, its write id kept. */
function rewriteShorter(path: string, size: number): void {
  const bytes = Deno.readFileSync(path);
  const newline = bytes.indexOf(0x0a);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline)));
  meta.bodySize = size;
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(json.length + 1 + size);
  out.set(json);
  out[json.length] = 0x0a;
  out.set(bodyBytes(size, 9), json.length + 1);
  Deno.writeFileSync(path, out);
}

Deno.test("FileStore.openBody() gives the looked-up length or no reader when the sidecar's inline body was shortened between lookup and read", async () => {
  const fixture = await fileFixture({
    inlineMaxBytes: 64 * 1024,
    memoryBytes: 0,
  });
  try {
    const meta = await put(fixture.store, draft(KEY), bodyBytes(3000, 3));
    rewriteShorter(entryBase(fixture.dir, KEY) + "default.json", 1000);
    const reader = await fixture.store.openBody(meta);
    if (reader) {
      const body = await readAll(reader);
      assert.equal(
        body.length,
        meta.bodySize,
        "a short body under the entry's Content-Length",
      );
    }
    const part = await fixture.store.openBody(meta, { start: 2000, end: 2999 });
    if (part) {
      const body = await readAll(part);
      assert.equal(
        body.length,
        1000,
        "a range the looked-up entry holds came back empty",
      );
    }
  } finally {
    await fixture.dispose();
  }
});
