/**
 * Owns the tests of readSidecar() against what may lie where a sidecar
 * belongs and is not a regular file: a FIFO, or a symlink to one. The
 * read is synchronous, so a read that blocks stops the whole proxy (the
 * start-up sweep and every lookup of that key); it runs in a child
 * process here, killed when it does not answer in time.
 *
 * Must not test what the file store tests cover.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import { baseOf, keyHash } from "../../cache/file_layout.ts";
import { readSidecar } from "../../cache/file_sidecar.ts";
import { fileFixture } from "./file_fixture.ts";
import { bodyBytes, draft, put } from "./store_helpers.ts";

const KEY = "http://fifo.example/x";
/** Generous: the child is a fresh `deno` on a busy 2-core machine. */
const CHILD_LIMIT_MS = 30_000;

/** Runs readSidecar() on `base` in a child process; its stdout, or "blocked" when it had to be killed. */
async function readInChild(base: string, hash: string): Promise<string> {
  const module = new URL("../../cache/file_sidecar.ts", import.meta.url).href;
  const code = `import { readSidecar } from ${JSON.stringify(module)};
const read = readSidecar(${JSON.stringify(base)}, { hash: ${
    JSON.stringify(hash)
  }, variant: "default" });
console.log(typeof read === "string" ? read : "entry");`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", code],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
    signal: AbortSignal.timeout(CHILD_LIMIT_MS),
  }).spawn();
  const { stdout, signal } = await child.output();
  if (signal !== null) return "blocked";
  return new TextDecoder().decode(stdout).trim();
}

function mkfifo(path: string): void {
  const made = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  assert.ok(made.success, "Cannot make a FIFO: mkfifo failed");
}

Deno.test("readSidecar() returns corrupt without blocking when a FIFO lies where the sidecar belongs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-fifo-" });
  try {
    const hash = keyHash(KEY);
    await Deno.mkdir(join(dir, hash.slice(0, 2)));
    const base = baseOf(dir, hash);
    mkfifo(`${base}default.json`);
    assert.equal(await readInChild(base, hash), "corrupt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSidecar() returns corrupt without blocking when the sidecar is a symlink to a FIFO", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-fifo-" });
  try {
    const hash = keyHash(KEY);
    await Deno.mkdir(join(dir, hash.slice(0, 2)));
    const base = baseOf(dir, hash);
    mkfifo(join(dir, "elsewhere"));
    await Deno.symlink(join(dir, "elsewhere"), `${base}default.json`);
    assert.equal(await readInChild(base, hash), "corrupt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSidecar() returns corrupt, never following it, when the sidecar is a symlink to a valid sidecar", async () => {
  const fixture = await fileFixture({ memoryBytes: 0 });
  try {
    await put(fixture.store, draft(KEY), bodyBytes(100, 1));
    const hash = keyHash(KEY);
    const base = baseOf(fixture.dir, hash);
    const slot = { hash, variant: "default" };
    assert.equal(typeof readSidecar(base, slot), "object", "valid in place");
    await Deno.rename(`${base}default.json`, join(fixture.dir, "elsewhere"));
    await Deno.symlink(join(fixture.dir, "elsewhere"), `${base}default.json`);
    assert.equal(readSidecar(base, slot), "corrupt");
  } finally {
    await fixture.dispose();
  }
});
