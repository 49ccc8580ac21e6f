/**
 * Owns the crash tests of a plain commit in the file store: a small body
 * (written with synchronous calls, SYNC_WRITE_MAX_BYTES) and a larger one
 * (async), in its own file or inside its sidecar, replacing a stored
 * entry, the process dying after any file mutation.
 *
 * Must not test partial entries nor re-keys (their own crash tests).
 */

import assert from "../helpers/assert.ts";
import { isInline, onDisk } from "../../cache/file_layout.ts";
import {
  INLINE_BODY_MAX_BYTES,
  SYNC_WRITE_MAX_BYTES,
} from "../../cache/limits.ts";
import type { EntryMeta } from "../../cache/meta.ts";
import { countingIds, fileFixture, filesOf } from "./file_fixture.ts";
import { restored, snapshotsDuring } from "./file_crash.ts";
import { bodyBytes, bodyOf, draft, put } from "./store_helpers.ts";

const KEY = "http://crash.example/entry";

const cases = [
  { size: 1000, inlineMaxBytes: -1, how: "in its own file" },
  { size: 1000, inlineMaxBytes: INLINE_BODY_MAX_BYTES, how: "in its sidecar" },
  {
    size: SYNC_WRITE_MAX_BYTES + 1,
    inlineMaxBytes: INLINE_BODY_MAX_BYTES,
    how: "in its own file over an inline one",
  },
];

for (const { size, inlineMaxBytes, how } of cases) {
  Deno.test(`FileStore.open() after a crash at any step of a commit of ${size} bytes (${how}) over a stored entry finds the old entry or the new one, whole, and no litter`, async () => {
    const fixture = await fileFixture({
      newWriteId: countingIds(),
      memoryBytes: 0,
      inlineMaxBytes,
    });
    try {
      const old = await put(fixture.store, draft(KEY), bodyBytes(700, 1));
      let next: EntryMeta | undefined;
      const states = await snapshotsDuring(fixture.dir, KEY, async () => {
        next = await put(fixture.store, draft(KEY), bodyBytes(size, 2), 4096);
      });
      assert.ok(next, "the commit failed");
      const files = next && isInline(next.bodyFile) ? 0 : 1;
      assert.ok(states.length >= 3 + files, `only ${states.length} states`); // body (unless inline), sidecar temp, rename, old body removed (unless inline)
      const seen: string[] = [];
      for (const files of states) {
        const { dir, store } = await restored(KEY, files);
        try {
          const found = store.variants(KEY);
          assert.equal(found.length, 1, "not one entry");
          const isNew: boolean = found[0]!.bodyFile === next!.bodyFile;
          seen.push(isNew ? "new" : "old");
          assert.deepEqual(found[0], isNew ? next : old);
          assert.deepEqual(
            await bodyOf(store, found[0]!),
            isNew ? bodyBytes(size, 2) : bodyBytes(700, 1),
          );
          assert.deepEqual(
            await filesOf(dir, KEY),
            [...onDisk([found[0]!.bodyFile]), "default.json"].sort(),
            "litter left after the sweep",
          );
        } finally {
          await store.close();
          await Deno.remove(dir, { recursive: true });
        }
      }
      assert.equal(seen[0], "old");
      assert.equal(seen.at(-1), "new");
      assert.deepEqual(seen, [...seen].sort().reverse(), "went back");
    } finally {
      await fixture.dispose();
    }
  });
}
