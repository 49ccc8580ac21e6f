/**
 * `cachelab clock` and `cachelab cache ...` against an admin listener
 * that answers JSON of the wrong shape (cli/admin_answers.ts): each exits
 * 1 with one line rather than printing "Invalid Date" or "undefined".
 * In-process, a fake listener on port 0.
 */

import assert from "../helpers/assert.ts";
import { clockViewOf, refusalLine } from "../../cli/admin_answers.ts";
import { runCache } from "../../cli/cache.ts";
import { runClock } from "../../cli/clock.ts";

async function withListener(
  body: unknown,
  run: (url: string) => Promise<void>,
): Promise<void> {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json(body),
  );
  await run(`http://127.0.0.1:${server.addr.port}`);
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (text: string) => void out.push(text),
      err: (line: string) => void err.push(line),
      env: () => undefined,
      cwd: "/",
    },
  };
}

Deno.test("clockViewOf() refuses JSON whose now, offsetSeconds or movable is not of its type", () => {
  const good = { now: 1_000, offsetSeconds: 0, movable: false };
  assert.deepEqual(clockViewOf(good), good);
  for (
    const bad of [
      {},
      null,
      [],
      { ...good, now: "1000" },
      { ...good, now: 9e15 }, // past what a Date holds
      { ...good, offsetSeconds: null },
      { ...good, movable: 1 },
    ]
  ) {
    assert.throws(() => clockViewOf(bad), Error, "not a clock");
  }
});

Deno.test("refusalLine() gives one line when the listener's error text holds a line feed", () => {
  assert.equal(refusalLine({ error: "a\nb\rc" }, 400, "clock"), "a b c");
  assert.equal(
    refusalLine({ error: 5 }, 500, "clock"),
    "Cannot run clock: the admin API answered 500",
  );
});

Deno.test("runClock() exits 1 with one line when the listener answers a clock whose now is no number", async () => {
  await withListener(
    { now: "soon", offsetSeconds: 0, movable: true },
    async (url) => {
      const c = capture();
      assert.equal(await runClock(["--admin", url], c.io), 1);
      assert.deepEqual(c.out, []);
      assert.equal(c.err.length, 1);
      assert.match(c.err[0]!, /^cachelab: Cannot run clock: .*not a clock/);
    },
  );
});

Deno.test("runCache() exits 1 with one line for ls, show, purge and stats when the listener answers {}", async () => {
  await withListener({}, async (url) => {
    for (
      const args of [
        ["ls"],
        ["ls", "--json"],
        ["show", "http://a.example/"],
        ["purge", "--all"],
        ["stats"],
      ]
    ) {
      const c = capture();
      assert.equal(
        await runCache([...args, "--admin", url], c.io),
        1,
        args.join(" "),
      );
      assert.deepEqual(c.out, [], args.join(" "));
      assert.equal(c.err.length, 1);
      assert.match(
        c.err[0]!,
        /^cachelab: Cannot run cache \w+: the admin API answered JSON that is not/,
      );
    }
  });
});

Deno.test("runCache() exits 1 when an entry of the listing has a size that is no number", async () => {
  const entry = {
    url: "http://a.example/",
    via: null,
    vary: {},
    status: 200,
    bodySize: "big",
    storedAt: "2026-11-30T00:00:00.000Z",
    ageSeconds: 1,
    freshSeconds: 5,
    state: "fresh",
    hits: 0,
  };
  const body = {
    entries: [entry],
    more: false,
    total: { entries: 1, bytes: 1 },
  };
  await withListener(body, async (url) => {
    const c = capture();
    assert.equal(await runCache(["ls", "--admin", url], c.io), 1);
    assert.deepEqual(c.out, []);
  });
  await withListener(
    { ...body, entries: [{ ...entry, bodySize: 1 }] },
    async (url) => {
      const c = capture();
      assert.equal(
        await runCache(["ls", "--admin", url], c.io),
        0,
        c.err.join(),
      );
      assert.match(c.out.join(""), /http:\/\/a\.example\//);
    },
  );
});
