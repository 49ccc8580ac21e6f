/**
 * Tests of admin/cache_folder.ts: which way `cachelab cache` reaches a
 * folder's entries (the holder's admin URL, a NoAdminError, the folder
 * itself under its lock), and that it creates nothing in a folder that
 * is missing or is not a cache folder.
 */

import assert from "../helpers/assert.ts";
import { runCachelab } from "../helpers/cli_process.ts";
import { folderAccess, NoAdminError } from "../../admin/cache_folder.ts";
import { lockFolder } from "../../cache/folder_lock.ts";

async function withDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-folder-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("folderAccess() rejects a missing folder and creates nothing", async () => {
  await withDir(async (parent) => {
    const dir = `${parent}/nowhere`;
    await assert.rejects(
      () => folderAccess(dir),
      Error,
      `${dir} does not exist`,
    );
    assert.deepEqual(await names(parent), []);
  });
});

Deno.test("folderAccess() rejects a folder no proxy made and writes nothing in it", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine\n");
    await assert.rejects(
      () => folderAccess(dir),
      Error,
      `${dir} is not a cachelab cache folder (no cachelab.lock nor 00/ in it)`,
    );
    assert.deepEqual(await names(dir), ["notes.txt"]);
  });
});

Deno.test("folderAccess() goes to the admin URL the holder's lock records", async () => {
  await withDir(async (dir) => {
    const held = await lockFolder(dir, {
      pid: 4242,
      admin: "http://127.0.0.1:9",
    });
    try {
      const access = await folderAccess(dir);
      assert.equal(access.source, "admin http://127.0.0.1:9 of pid 4242");
      await access.close();
    } finally {
      await held.release();
    }
  });
});

Deno.test("folderAccess() throws a NoAdminError naming the pid when the holder has no admin listener", async () => {
  await withDir(async (dir) => {
    const held = await lockFolder(dir, { pid: 4242, admin: null });
    try {
      await assert.rejects(
        () => folderAccess(dir),
        NoAdminError,
        `${dir} is in use by cachelab pid 4242, which has no admin listener (--no-admin)`,
      );
    } finally {
      await held.release();
    }
  });
});

Deno.test("folderAccess() holds the folder's lock while open, so no proxy starts on it, and lets go at close", async () => {
  await withDir(async (dir) => {
    await (await lockFolder(dir, { pid: 1, admin: null })).release();
    const access = await folderAccess(dir);
    try {
      assert.equal(access.source, `folder ${dir}`);
      const listing = await (await access.fetch("GET", "/api/entries")).json();
      assert.deepEqual(listing, {
        entries: [],
        more: false,
        total: { entries: 0, bytes: 0 },
      });
      const proxy = await runCachelab(["proxy", "0", "--cache-dir", dir]);
      assert.equal(proxy.code, 1);
      assert.equal(
        proxy.stderr,
        `cachelab: Cannot start proxy: ${dir} is in use by another cachelab (pid ${Deno.pid}, no admin listener)\n`,
      );
    } finally {
      await access.close();
    }
    await (await lockFolder(dir, { pid: 1, admin: null })).release();
  });
});
