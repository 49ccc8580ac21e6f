/**
 * CLI tests of `cachelab lab` and `cachelab clock` with real processes:
 * the lab's three address lines and its lessons, `cachelab clock advance`
 * moving the lab's clock (and what the proxy computes with it), the
 * refusals (bad input exit 2; an unreachable admin listener or a clock
 * that cannot move exit 1, one line), and the temporary folders removed
 * after SIGTERM. Port 0, a temp TMPDIR per test, every wait bounded.
 */

import assert from "../helpers/assert.ts";
import { LineProcess, runCachelab } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";

const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:\d+)$/;
const ORIGIN = /^origin on (http:\/\/127\.0\.0\.1:\d+)$/;
const MOVED =
  /^clock: \+(\d+(?:\.\d+)?) s \(now (\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT)\)\n$/;

async function get(url: string, init?: RequestInit) {
  const res = await withDeadline(fetch(url, init), 10_000, `fetching ${url}`);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Runs `body` with a `cachelab lab 0` whose temporary folders go to a folder of the test's own. */
async function withLab(
  body: (
    lab: { proxy: string; admin: string; origin: string; tmp: string },
    child: LineProcess,
  ) => Promise<void>,
  extra: string[] = [],
): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-lab-test-" });
  try {
    await using child = await LineProcess.cachelab(["lab", "0", ...extra], {
      env: { TMPDIR: tmp },
    });
    const proxy = LISTENING.exec((await child.nextLine()) ?? "")?.[1];
    const admin = ADMIN.exec((await child.nextLine()) ?? "")?.[1];
    const origin = ORIGIN.exec((await child.nextLine()) ?? "")?.[1];
    assert.ok(proxy && admin && origin, child.seen.join(" / "));
    await body({ proxy, admin, origin, tmp }, child);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("main.ts lab 0 prints the proxy, admin and origin lines, then the lessons, and serves the demo copy through the proxy", async () => {
  await withLab(async (lab, child) => {
    const heading = await child.nextLine();
    assert.match(heading ?? "", /^Lessons: /);
    assert.ok(heading!.includes(`${lab.admin}/`));
    const demo = await Deno.readTextFile(
      new URL("../../demo/1.txt", import.meta.url),
    );
    const first = await get(`${lab.proxy}/1.txt`);
    assert.equal(first.body, demo);
    assert.match(first.headers.get("cache-status") ?? "", /stored/);
    const direct = await get(`${lab.origin}/1.txt`);
    assert.equal(direct.body, demo);
    const clock = await get(`${lab.admin}/api/clock`);
    assert.equal(JSON.parse(clock.body).movable, true);
    child.signal("SIGTERM");
    assert.equal((await child.finish()).code, 0);
  });
});

Deno.test("main.ts clock advance moves a running lab's clock, and the Date of the proxy's own answers follows it", async () => {
  await withLab(async (lab, child) => {
    const before = Date.now();
    await get(`${lab.proxy}/1.txt`); // stored; the demo's no-cache: validated on use
    const run = await runCachelab([
      "clock",
      "advance",
      "3600",
      "--admin",
      lab.admin,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const moved = MOVED.exec(run.stdout);
    assert.ok(moved, run.stdout);
    assert.equal(moved[1], "3600");
    assert.ok(
      Date.parse(moved[2]!) >= Math.floor(before / 1000) * 1000 + 3600_000,
    );
    const shown = await runCachelab(["clock", "--admin", lab.admin]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal(MOVED.exec(shown.stdout)?.[1], "3600");
    const api = JSON.parse((await get(`${lab.admin}/api/clock`)).body);
    assert.equal(api.offsetSeconds, 3600);
    // The proxy's own answer (TRACE with Max-Forwards: 0) is dated on the lab's clock.
    const own = await get(`${lab.proxy}/`, {
      method: "OPTIONS",
      headers: { "Max-Forwards": "0" },
    });
    assert.equal(own.status, 200);
    assert.ok(Date.parse(own.headers.get("date")!) >= before + 3599_000);
    child.signal("SIGTERM");
    assert.equal((await child.finish()).code, 0);
  });
});

Deno.test("main.ts lab serves a max-age=60 lab response stale after clock advance 61, without waiting: Cache-Status, Age and the explanation say so, and the origin counts 2", async () => {
  await withLab(async (lab, child) => {
    const url = `${lab.proxy}/lab/headers?Cache-Control=max-age%3D60`;
    const first = await get(url);
    assert.equal(first.body, "request 1 for /lab/headers\n");
    const hit = await get(url);
    assert.equal(hit.body, "request 1 for /lab/headers\n");
    assert.match(hit.headers.get("cache-status") ?? "", /^cachelab; hit; ttl=/);
    const run = await runCachelab([
      "clock",
      "advance",
      "61",
      "--admin",
      lab.admin,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const served = await get(url, {
      headers: { "Cache-Control": "max-stale", "Cachelab-Explain": "1" },
    });
    assert.equal(served.body, "request 1 for /lab/headers\n");
    assert.match(served.headers.get("age") ?? "", /^6[1-9]$/);
    assert.match(
      served.headers.get("cache-status") ?? "",
      /^cachelab; hit; ttl=-\d+; detail=max-stale$/,
    );
    assert.match(
      served.headers.get("cachelab-explain") ?? "",
      /^stale, served: .*lifetime 60 s from max-age; stale by \d+ s/,
    );
    const again = await get(url);
    assert.equal(again.body, "request 2 for /lab/headers\n");
    assert.match(again.headers.get("cache-status") ?? "", /fwd=stale/);
    const sent = Date.parse(again.headers.get("date") ?? "");
    assert.ok(
      sent >= Date.now() + 59_000,
      "the origin dates on the lab's clock",
    );
    const count = await get(`${lab.origin}/lab/count?path=/lab/headers`);
    assert.equal(count.body, "2\n");
    child.signal("SIGTERM");
    assert.equal((await child.finish()).code, 0);
  });
});

Deno.test("main.ts lab removes its temporary cache folder and demo copy after SIGTERM", async () => {
  await withLab(async (lab, child) => {
    const made = [];
    for await (const entry of Deno.readDir(lab.tmp)) made.push(entry.name);
    assert.equal(made.length, 2, made.join());
    assert.ok(made.some((name) => name.startsWith("cachelab-lab-cache-")));
    await get(`${lab.proxy}/1.txt`); // something stored
    child.signal("SIGTERM");
    const { code, stderr } = await child.finish();
    assert.equal(code, 0);
    assert.match(
      stderr,
      /^cache: .*cachelab-lab-cache-.* \(a new temporary folder, removed at exit\)$/m,
    );
    const left = [];
    for await (const entry of Deno.readDir(lab.tmp)) left.push(entry.name);
    assert.deepEqual(left, []);
  });
});

Deno.test("main.ts clock exits 2 on bad input and 1 with one line when the admin listener cannot be reached", async () => {
  for (
    const args of [["advance"], ["advance", "-5"], ["advance", "0"], [
      "advance",
      "1e9",
    ], ["back", "5"]]
  ) {
    const run = await runCachelab(["clock", ...args]);
    assert.equal(run.code, 2, args.join(" "));
    assert.match(
      run.stderr,
      /^cachelab: Cannot run clock[^\n]*\n$/,
      args.join(" "),
    );
    assert.equal(run.stdout, "");
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there now
  const run = await runCachelab([
    "clock",
    "advance",
    "30",
    "--admin",
    `http://127.0.0.1:${port}`,
  ]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    new RegExp(
      `^cachelab: Cannot run clock advance: the admin API at http://127\\.0\\.0\\.1:${port} cannot be reached: [^\\n]+\\n$`,
    ),
  );
});

Deno.test("main.ts clock advance exits 1 with one line when the proxy is not a lab (its clock is the real one)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-clock-" });
  try {
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      "--cache-dir",
      dir,
      "--quiet",
    ]);
    await proxy.waitFor(LISTENING);
    const admin = (await proxy.waitFor(ADMIN))[1]!;
    const run = await runCachelab(["clock", "advance", "30", "--admin", admin]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^cachelab: Cannot move the clock: [^\n]*real clock[^\n]*\n$/,
    );
    const shown = await runCachelab(["clock", "--admin", admin]);
    assert.equal(shown.code, 0);
    assert.match(
      shown.stdout,
      /^clock: real time \(now .* GMT\); only cachelab lab can move it\n$/,
    );
    proxy.signal("SIGTERM");
    assert.equal((await proxy.finish()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts lab exits 2 with one line, leaving no folder behind, when --script is missing or bad", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-lab-script-" });
  try {
    const bad = `${tmp}/bad.json`;
    await Deno.writeTextFile(
      bad,
      '{"rules": [{"path": "/x", "responses": [{"status": 99}]}]}',
    );
    for (const file of [`${tmp}/missing.json`, bad]) {
      const run = await runCachelab(["lab", "0", "--script", file], {
        env: { TMPDIR: tmp },
      });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        new RegExp(
          `^cachelab: Cannot start lab: --script ${file}: [^\\n]+\\n$`,
        ),
      );
    }
    const left = [];
    for await (const entry of Deno.readDir(tmp)) left.push(entry.name);
    assert.deepEqual(left, ["bad.json"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
