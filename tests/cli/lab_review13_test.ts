/**
 * Review 13: `cachelab lab`, `cachelab origin --script` and `cachelab
 * clock` as a new user and an attacker run them: a stop while a lab wait
 * is in flight, a script that never ends, an admin listener that answers
 * something that is not a clock, and the flag named when the admin port
 * is taken. Real processes, port 0, temp folders, every wait bounded.
 */

import assert from "../helpers/assert.ts";
import { LineProcess, runCachelab } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";

const LISTENING = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/;

const ORIGIN = /^origin on (http:\/\/127\.0\.0\.1:\d+)$/;

Deno.test("main.ts lab answers a request waiting on /lab/delay through its proxy when stopped by SIGTERM, rather than closing it unanswered", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-r13-stop-" });
  try {
    await using child = await LineProcess.cachelab(["lab", "0", "--quiet"], {
      env: { TMPDIR: tmp },
    });
    const proxy = LISTENING.exec((await child.nextLine()) ?? "")?.[1];
    await child.nextLine(); // admin on ...
    const origin = ORIGIN.exec((await child.nextLine()) ?? "")?.[1];
    assert.ok(proxy && origin, child.seen.join(" / "));
    const waiting = fetch(`${proxy}/lab/delay/60000`).then(
      async (res) => ({ status: res.status, body: await res.text() }),
      (error) => ({ status: 0, body: String(error) }),
    );
    // The request has reached the origin once the origin counts it.
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${origin}/lab/count?path=/lab/delay/60000`);
      if ((await res.text()) === "1\n") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.signal("SIGTERM");
    const answer = await withDeadline(waiting, 40_000, "the delayed request");
    const { code } = await child.finish(40_000);
    assert.equal(code, 0);
    // The lab's waits end when its origin stops (README): stopping the proxy
    // first, while its upstream is the lab's own origin, leaves the proxy
    // waiting on a wait that only its own stop would end.
    assert.equal(answer.status, 502, answer.body);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("main.ts origin exits 2 with one line when --script is a FIFO no one writes to", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-r13-fifo-" });
  try {
    const fifo = `${tmp}/script.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    await using child = await LineProcess.cachelab([
      "origin",
      "0",
      "--script",
      fifo,
    ]);
    const { code, stderr } = await child.finish(20_000);
    assert.equal(code, 2);
    assert.match(stderr, /^cachelab: Cannot start origin: [^\n]*\n$/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("main.ts clock exits 1 with one line when the admin listener answers 200 with JSON that is not a clock", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json({}),
  );
  const run = await runCachelab([
    "clock",
    "--admin",
    `http://127.0.0.1:${server.addr.port}`,
  ]);
  assert.equal(run.code, 1, run.stdout);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^cachelab: Cannot run clock: [^\n]*\n$/);
});

Deno.test("main.ts lab names only flags it has when its admin port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const tmp = await Deno.makeTempDir({ prefix: "cachelab-r13-port-" });
  try {
    const run = await runCachelab([
      "lab",
      "0",
      "--admin-port",
      String(taken.addr.port),
    ], { env: { TMPDIR: tmp } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /already in use/);
    assert.ok(!run.stderr.includes("--no-admin"), run.stderr);
    const help = await runCachelab(["lab", "--help"]);
    for (const flag of run.stderr.match(/--[a-z-]+/g) ?? []) {
      assert.ok(help.stdout.includes(flag), `${flag} is not a lab flag`);
    }
  } finally {
    taken.close();
    await Deno.remove(tmp, { recursive: true });
  }
});
