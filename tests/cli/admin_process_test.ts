/**
 * CLI tests of `cachelab proxy`'s admin listener and cache folder lock,
 * with real processes: the second stdout line, the admin API through it,
 * a second proxy on the same folder refused, a killed proxy's lock file
 * not blocking a restart, and the admin address refused on the proxy port.
 */

import assert from "../helpers/assert.ts";
import { LineProcess, runCachelab } from "../helpers/cli_process.ts";
import { exchange } from "../helpers/raw_peer.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:(\d+))$/;

/** A temp cache folder for one test, removed after. */
async function withCacheDir(body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-admin-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts a proxy on port 0 using `dir`; its proxy port and admin URL (stdout's first two lines). */
async function startProxy(dir: string, extra: string[] = []) {
  const proxy = await LineProcess.cachelab([
    "proxy",
    "0",
    "--cache-dir",
    dir,
    "--quiet",
    ...extra,
  ]);
  const first = await proxy.nextLine();
  const second = await proxy.nextLine();
  const port = Number(LISTENING.exec(first ?? "")?.[1]);
  const admin = ADMIN.exec(second ?? "")?.[1];
  assert.ok(port > 0 && admin, `stdout began ${first} / ${second}`);
  return { proxy, port, admin: admin! };
}

Deno.test("main.ts proxy prints `admin on http://HOST:PORT` second and serves /api/entries there", async () => {
  await withCacheDir(async (dir) => {
    const { proxy, admin } = await startProxy(dir);
    await using _ = proxy;
    const res = await fetch(`${admin}/api/entries`);
    assert.deepEqual(await res.json(), {
      entries: [],
      more: false,
      total: { entries: 0, bytes: 0 },
    });
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/cachelab.lock`));
    assert.deepEqual(lock, { pid: lock.pid, admin });
    assert.ok(lock.pid > 0);
    proxy.signal("SIGTERM");
    assert.equal((await proxy.finish()).code, 0);
  });
});

Deno.test("main.ts proxy exits 1 with one line when another proxy holds the cache folder", async () => {
  await withCacheDir(async (dir) => {
    const { proxy, admin } = await startProxy(dir);
    await using _ = proxy;
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/cachelab.lock`));
    const second = await runCachelab(["proxy", "0", "--cache-dir", dir]);
    assert.equal(second.code, 1);
    assert.equal(second.stdout, "");
    assert.equal(
      second.stderr,
      `cachelab: Cannot start proxy: ${dir} is in use by another cachelab (pid ${lock.pid}, admin ${admin})\n`,
    );
    const res = await fetch(`${admin}/api/entries`); // the first one still serves
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
});

Deno.test("main.ts proxy starts on a folder whose lock file a kill -9 left behind", async () => {
  await withCacheDir(async (dir) => {
    const first = await startProxy(dir);
    first.proxy.signal("SIGKILL");
    await first.proxy.finish();
    assert.match(await Deno.readTextFile(`${dir}/cachelab.lock`), /"pid"/); // left as it was
    const { proxy, admin } = await startProxy(dir);
    await using _ = proxy;
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/cachelab.lock`));
    assert.equal(lock.admin, admin);
    await first.proxy[Symbol.asyncDispose]();
  });
});

Deno.test("main.ts proxy refuses with 403 absolute-form requests for its admin listener, in any spelling", async () => {
  await withCacheDir(async (dir) => {
    const { proxy, port, admin } = await startProxy(dir);
    await using _ = proxy;
    const adminPort = new URL(admin).port;
    for (
      const request of [
        `GET ${admin}/api/entries HTTP/1.1\r\nHost: 127.0.0.1:${adminPort}\r\n\r\n`,
        `GET http://localhost:${adminPort}/api/entries HTTP/1.1\r\nHost: localhost:${adminPort}\r\n\r\n`,
        `DELETE http://127.1:${adminPort}/api/entries?all=1 HTTP/1.1\r\nHost: 127.1:${adminPort}\r\n\r\n`,
      ]
    ) {
      const { responses } = await exchange(
        { hostname: "127.0.0.1", port },
        request,
        { responses: 1, methods: [request.split(" ")[0]!] },
      );
      assert.equal(responses[0]!.status, 403, request);
      assert.match(
        responses[0]!.bodyText,
        /the admin listener is not reachable through the proxy/,
      );
    }
  });
});

Deno.test("main.ts proxy --no-admin prints one line and binds no admin listener", async () => {
  await withCacheDir(async (dir) => {
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      "--cache-dir",
      dir,
      "--quiet",
      "--no-admin",
    ]);
    const first = (await proxy.nextLine())!;
    assert.match(first, LISTENING);
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/cachelab.lock`));
    assert.equal(lock.admin, null);
    proxy.signal("SIGTERM");
    const { code, stdout } = await proxy.finish();
    assert.equal(code, 0);
    assert.equal(stdout, `${first}\n`);
  });
});
