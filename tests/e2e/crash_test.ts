/**
 * End-to-end tests of a proxy killed with SIGKILL while it streams a large
 * cacheable response into its cache: the next process on the same
 * --cache-dir sweeps the litter at start-up and serves no torn entry —
 * a first store is a miss with the full, exact bytes, then a hit; a
 * replacement cut short leaves the older entry whole. A fill goes at its
 * upstream's pace, so the origin is reached through a relay that slows
 * it while the proxy is to be killed.
 */

import assert from "../helpers/assert.ts";
import { join } from "node:path";
import {
  bodyPathOf,
  Lab,
  listFiles,
  metaFiles,
  pollUntil,
  randomBytes,
  type ServerProcess,
  sha256,
} from "./helpers.ts";
import { ThrottledRelay } from "./throttle.ts";

const SIZE = 64 * 1024 * 1024;

Deno.test("cachelab proxy serves no torn entry after it was killed with SIGKILL during a large cached download", async () => {
  const content = randomBytes(SIZE);
  const expected = await sha256(content);
  await using lab = await Lab.create({ "big.bin": content });
  const origin = await lab.origin(["--max-age", "60"]);
  await using relay = ThrottledRelay.start(origin.port);
  const proxyA = await lab.proxy(relay.port);

  const received = await killDuringSlowDownload(lab, {
    proxy: proxyA,
    relay,
    path: "/big.bin",
  });
  assert.ok(received < SIZE, `the download was cut short (${received} bytes)`);

  const proxyB = await lab.proxy(relay.port);
  await assertSweptClean(lab.cacheDir);
  assert.deepEqual(
    await metaFiles(lab.cacheDir),
    [],
    "the incomplete download never became an entry",
  );

  const miss = await lab.curl(proxyB.url("/big.bin"), { bodyOnDisk: true });
  assert.equal(miss.exitCode, 0);
  assert.equal(miss.status, 200);
  assert.equal(
    miss.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; detail=storing",
  );
  assert.equal((await Deno.stat(miss.bodyPath)).size, SIZE);
  assert.equal(await sha256(miss.bodyPath), expected);
  await proxyB.waitForAccessLines(1);

  const hit = await lab.curl(proxyB.url("/big.bin"), { bodyOnDisk: true });
  assert.equal(hit.status, 200);
  assert.match(
    hit.headers.get("cache-status") ?? "",
    /^cachelab; hit; ttl=\d+$/,
  );
  assert.equal(await sha256(hit.bodyPath), expected);
  assert.deepEqual(
    (await proxyB.waitForAccessLines(2)).map((l) => l.result),
    ["MISS", "HIT"],
  );
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  assert.deepEqual(
    origin.accessLog().map((l) => l.status),
    [200, 200],
    "the killed download and the miss after the restart; the hit never reached the origin",
  );
  await assertSweptClean(lab.cacheDir);
});

Deno.test("cachelab proxy keeps the older entry whole when it was killed with SIGKILL while a changed file replaced it", async () => {
  const older = randomBytes(8 * 1024 * 1024);
  const newer = randomBytes(24 * 1024 * 1024);
  await using lab = await Lab.create({ "big.bin": older });
  const origin = await lab.origin(); // no-cache: every request revalidates
  await using relay = ThrottledRelay.start(origin.port);
  const proxyA = await lab.proxy(relay.port);
  // A and B listen on different ports: the clients name one site in Host
  // (the key's authority), so B finds what A stored.
  const site = [`Host: 127.0.0.1:${origin.port}`];
  const stored = await lab.curl(proxyA.url("/big.bin"), {
    bodyOnDisk: true,
    headers: site,
  });
  assert.equal(
    stored.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; detail=storing",
  );
  await proxyA.waitForAccessLines(1);

  const path = join(lab.root, "big.bin");
  const before = (await Deno.stat(path)).mtime!.getTime();
  await lab.write("big.bin", newer);
  const later = new Date(Math.floor(before / 1000) * 1000 + 5000);
  await Deno.utime(path, later, later);
  await killDuringSlowDownload(lab, {
    proxy: proxyA,
    relay,
    path: "/big.bin",
    headers: site,
  });

  const proxyB = await lab.proxy(relay.port);
  await assertSweptClean(lab.cacheDir);
  const [entry, ...others] = await metaFiles(lab.cacheDir);
  assert.deepEqual(others, []);
  assert.ok(entry?.json, "one entry");
  assert.equal(
    entry.json.bodySize,
    older.length,
    "the older entry is still current",
  );
  const body = bodyPathOf(entry);
  assert.equal(await sha256(body), await sha256(older), "with its own body");

  const replaced = await lab.curl(proxyB.url("/big.bin"), {
    bodyOnDisk: true,
    headers: site,
  });
  assert.equal(replaced.status, 200);
  assert.equal(
    replaced.headers.get("cache-status"),
    "cachelab; fwd=stale; fwd-status=200; detail=storing",
  );
  assert.equal(await sha256(replaced.bodyPath), await sha256(newer));
  await proxyB.waitForAccessLines(1);
  const revalidated = await lab.curl(proxyB.url("/big.bin"), {
    bodyOnDisk: true,
    headers: site,
  });
  assert.match(revalidated.headers.get("cache-status") ?? "", /fwd-status=304/);
  assert.equal(await sha256(revalidated.bodyPath), await sha256(newer));
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  await assertSweptClean(lab.cacheDir);
});

/**
 * Starts a rate-limited curl download of `path` through `proxy` (with the
 * field lines `headers`) while `relay` slows the origin to 1 MiB/s, waits
 * until bytes arrived and a temp file is in the cache, kills the proxy
 * with SIGKILL, and returns how many bytes curl got.
 */
async function killDuringSlowDownload(
  lab: Lab,
  download: {
    proxy: ServerProcess;
    relay: ThrottledRelay;
    path: string;
    headers?: string[];
  },
): Promise<number> {
  const { proxy, relay, path, headers = [] } = download;
  const partial = join(lab.dir, "partial.body");
  relay.rate = 1024 * 1024;
  const slow = new Deno.Command("curl", {
    args: [
      "-sS",
      "--max-time",
      "60",
      "--limit-rate",
      "1M",
      ...headers.flatMap((field) => ["-H", field]),
      "-o",
      partial,
      proxy.url(path),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await pollUntil(async () => {
      const received = await Deno.stat(partial).then((s) => s.size, () => 0);
      const temps = (await listFiles(lab.cacheDir)).filter((f) =>
        f.endsWith(".tmp")
      );
      return received >= 256 * 1024 && temps.length > 0;
    }, "the download under way and a temp file in the cache");
    const killed = await proxy.kill();
    assert.equal(killed.signal, "SIGKILL");
  } finally {
    try {
      slow.kill("SIGKILL");
    } catch {
      // it ended when the proxy went away
    }
    await slow.status;
    relay.rate = undefined;
  }
  const litter = (await listFiles(lab.cacheDir)).filter((f) =>
    f.endsWith(".tmp")
  );
  assert.ok(litter.length > 0, "the killed process left its temp file");
  return (await Deno.stat(partial)).size;
}

/** Temp files, and body files no metadata file names. */
async function litterIn(cacheDir: string): Promise<string[]> {
  const files = await listFiles(cacheDir);
  const named = new Set<string>();
  for (const meta of await metaFiles(cacheDir)) named.add(bodyPathOf(meta));
  return files.filter((f) =>
    f.endsWith(".tmp") ||
    (f.endsWith(".body") && !named.has(join(cacheDir, f)))
  );
}

/**
 * No temp files, and every body file named by a metadata file beside it,
 * once the start-up sweep (in the background after "listening") got there.
 */
async function assertSweptClean(cacheDir: string): Promise<void> {
  await pollUntil(
    async () => (await litterIn(cacheDir)).length === 0,
    "the cache folder swept clean",
  );
  const files = await listFiles(cacheDir);
  assert.deepEqual(
    files.filter((f) => f.endsWith(".tmp")),
    [],
    "no temp files",
  );
  const named = new Set<string>();
  for (const meta of await metaFiles(cacheDir)) {
    assert.ok(meta.json, `${meta.path} is JSON`);
    named.add(bodyPathOf(meta));
  }
  const bodies = files.filter((f) => f.endsWith(".body")).map((f) =>
    join(cacheDir, f)
  );
  assert.deepEqual(bodies.filter((b) => !named.has(b)), [], "no orphan bodies");
}
