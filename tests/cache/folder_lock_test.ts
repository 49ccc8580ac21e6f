/** Tests the cache folder's lock (cache/folder_lock.ts) in one process. */

import assert from "../helpers/assert.ts";
import {
  FolderLockedError,
  lockFolder,
  parseLockRecord,
} from "../../cache/folder_lock.ts";

Deno.test("parseLockRecord() reads what it can of a lock file's text", () => {
  const cases: [string, ReturnType<typeof parseLockRecord>][] = [
    [
      '{"pid":12,"admin":"http://127.0.0.1:12346"}',
      { pid: 12, admin: "http://127.0.0.1:12346" },
    ],
    ['{"pid":12,"admin":null}', { pid: 12, admin: null }],
    ['{"pid":"12","admin":7}', { pid: undefined, admin: null }],
    ["", undefined],
    ['{"pid":1', undefined],
    ["null", undefined],
    ["42", undefined],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(parseLockRecord(text), expected, text);
  }
});

Deno.test("lockFolder() refuses a second holder in one process with the first one's pid and admin URL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-lock-" });
  try {
    const first = await lockFolder(dir, {
      pid: 4242,
      admin: "http://127.0.0.1:1",
    });
    try {
      await assert.rejects(
        () => lockFolder(dir, { pid: Deno.pid, admin: null }),
        (error: unknown) =>
          error instanceof FolderLockedError &&
          error.message.includes("pid 4242, admin http://127.0.0.1:1"),
      );
    } finally {
      await first.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockFolder() throws naming cachelab.lock and its kind when the lock file is a folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-lock-" });
  try {
    await Deno.mkdir(`${dir}/cachelab.lock`);
    const error = await lockFolder(dir, { pid: 1, admin: null }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error, "no error");
    assert.match(
      error.message,
      /cachelab\.lock is a folder, not a regular file$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
