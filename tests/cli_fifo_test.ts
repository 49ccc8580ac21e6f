/**
 * Owns the end-to-end test of a cache folder where FIFOs lie in place of
 * a sidecar and of a body file: main.ts proxy must start (the start-up
 * sweep lstat's them, never opens them), answer those URLs as misses and
 * stop on SIGTERM. An open of a FIFO waits for a writer, so one blocking
 * open stopped the whole process before (it ignored SIGTERM).
 *
 * Must not test what tests/cache/file_sidecar_test.ts covers.
 */

import assert from "./helpers/assert.ts";
import { join } from "node:path";
import { LineProcess } from "./helpers/cli_process.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
/** A body kept in its own file (over the 64 KiB inline bound). */
const LARGE_BYTES = 100_000;

/** Every file in the cache folder's `<hh>` folders whose name matches `pattern`. */
async function filesIn(dir: string, pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for await (const shard of Deno.readDir(dir)) {
    if (!shard.isDirectory) continue;
    for await (const item of Deno.readDir(join(dir, shard.name))) {
      if (pattern.test(item.name)) found.push(join(dir, shard.name, item.name));
    }
  }
  return found;
}

function mkfifo(path: string): void {
  const made = new Deno.Command("mkfifo", { args: [path] }).outputSync();
  assert.ok(made.success, "Cannot make a FIFO: mkfifo failed");
}

/** GETs `url` through the forward proxy at `proxyPort` (bounded). */
async function viaProxy(proxyPort: string, url: string) {
  const client = Deno.createHttpClient({
    proxy: { url: `http://127.0.0.1:${proxyPort}` },
  });
  try {
    const response = await fetch(url, {
      client,
      signal: AbortSignal.timeout(20_000),
    });
    return {
      status: response.status,
      cacheStatus: response.headers.get("cache-status") ?? "",
      body: new Uint8Array(await response.arrayBuffer()),
    };
  } finally {
    client.close();
  }
}

/** Runs the proxy on `cacheDir`, GETs both URLs through it, stops it; what each GET said. */
async function round(
  cacheDir: string,
  urls: string[],
): Promise<{ status: number; cacheStatus: string; body: Uint8Array }[]> {
  await using proxy = await LineProcess.cachelab([
    "proxy",
    "0",
    "--cache-dir",
    cacheDir,
    "--quiet",
  ]);
  const port = (await proxy.waitFor(LISTENING))[1]!;
  const answers = [];
  for (const url of urls) answers.push(await viaProxy(port, url));
  proxy.signal("SIGTERM");
  const stopped = await proxy.finish();
  assert.equal(stopped.code, 0, stopped.stderr);
  return answers;
}

Deno.test("main.ts proxy starts, answers misses and stops on SIGTERM when FIFOs lie where a sidecar and a body file belong", async () => {
  const root = await Deno.makeTempDir({ prefix: "cachelab-fifo-root-" });
  const cacheDir = await Deno.makeTempDir({ prefix: "cachelab-fifo-cache-" });
  try {
    const large = new Uint8Array(LARGE_BYTES).map((_, i) => i % 251);
    await Deno.writeTextFile(join(root, "small.txt"), "small body\n");
    await Deno.writeFile(join(root, "large.bin"), large);
    await using origin = await LineProcess.cachelab([
      "origin",
      "0",
      "--root",
      root,
      "--max-age",
      "3600",
      "--quiet",
    ]);
    const originPort = (await origin.waitFor(LISTENING))[1]!;
    const urls = [
      `http://127.0.0.1:${originPort}/small.txt`,
      `http://127.0.0.1:${originPort}/large.bin`,
    ];
    const first = await round(cacheDir, urls);
    assert.deepEqual(first.map((a) => a.status), [200, 200]);

    const bodies = await filesIn(cacheDir, /\.body$/);
    assert.equal(bodies.length, 1, "the large body in its own file");
    const sidecars = await filesIn(cacheDir, /\.json$/);
    assert.equal(sidecars.length, 2);
    const largeSidecar = bodies[0]!.replace(/-[^.]+\.body$/, ".json");
    for (const sidecar of sidecars) {
      if (sidecar === largeSidecar) continue;
      await Deno.remove(sidecar);
      mkfifo(sidecar); // in place of the small entry's sidecar
    }
    await Deno.remove(bodies[0]!);
    mkfifo(bodies[0]!); // in place of the large entry's body, its sidecar kept

    const second = await round(cacheDir, urls);
    assert.deepEqual(second.map((a) => a.status), [200, 200]);
    assert.equal(new TextDecoder().decode(second[0]!.body), "small body\n");
    assert.deepEqual(second[1]!.body, large);
    for (const answer of second) {
      assert.doesNotMatch(answer.cacheStatus, /; hit/, answer.cacheStatus);
    }
    origin.signal("SIGTERM");
    assert.equal((await origin.finish()).code, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(cacheDir, { recursive: true });
  }
});
