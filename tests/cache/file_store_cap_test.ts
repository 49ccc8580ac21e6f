/**
 * Owns the test of an entry whose body fits under the file store's cap
 * while what it takes on disk (a whole 4 KiB block and its directory
 * entry) does not: `--cache-size 4KiB` is accepted by the CLI (and
 * --max-object-size then defaults to it), and every 1000-byte miss was
 * answered `Cache-Status: ...; stored` with nothing kept, each request
 * going upstream again (review of issue 11).
 *
 * Must not test what the other file store tests cover.
 */

import assert from "../helpers/assert.ts";
import { fileFixture } from "./file_fixture.ts";
import { bodyBytes, draft } from "./store_helpers.ts";

const KEY = "http://tiny-cap.example/x";

Deno.test("FileStore commit() returns false, or keeps the entry, when its body fits the cap but its blocks on disk do not", async () => {
  for (const inlineMaxBytes of [64 * 1024, -1]) {
    const fixture = await fileFixture({
      sizeBytes: 4096,
      memoryBytes: 0,
      inlineMaxBytes,
    });
    try {
      const writer = fixture.store.begin(draft(KEY));
      await writer.write(bodyBytes(1000, 1));
      const stored = await writer.commit(1000);
      const kept = fixture.store.variants(KEY).length;
      assert.equal(
        stored,
        kept === 1,
        `commit() said ${stored} and ${kept} variant(s) are kept (inlineMaxBytes ${inlineMaxBytes})`,
      );
    } finally {
      await fixture.dispose();
    }
  }
});
