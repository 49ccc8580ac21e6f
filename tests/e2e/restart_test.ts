/**
 * End-to-end tests of the cache across proxy restarts: what one proxy
 * process stored, the next one on the same --cache-dir serves from disk
 * without asking the origin; metadata files corrupted while no proxy ran
 * are misses served correctly, and are removed at start-up.
 */

import assert from "../helpers/assert.ts";
import {
  bodyPathOf,
  type FoundMeta,
  Lab,
  metaFiles,
  pollUntil,
} from "./helpers.ts";

const FILES = {
  "1.txt": "stored by proxy A, served by proxy B\n",
  "truncated.txt": "its metadata is cut in half\n",
  "garbage.txt": "its metadata is not JSON\n",
  "version.txt": "its metadata claims another schema version\n",
  "short-body.txt": "its body file lost its tail\n",
  "intact.txt": "nobody touched this entry\n",
};

Deno.test("cachelab proxy serves from disk what an earlier process stored, without the origin, after a restart", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  // One site in front of the origin: A and B listen on different ports,
  // so the clients name the site in Host (the key's authority).
  const site = { headers: [`Host: 127.0.0.1:${origin.port}`] };

  const proxyA = await lab.proxy(origin.port);
  const stored = await lab.curl(proxyA.url("/1.txt"), site);
  assert.equal(stored.text, FILES["1.txt"]);
  assert.equal(
    stored.headers.get("cache-status"),
    "cachelab; fwd=uri-miss; fwd-status=200; stored",
  );
  await proxyA.waitForAccessLines(1);
  assert.equal((await proxyA.stop()).code, 0, "SIGTERM stops A with exit 0");
  await origin.waitForAccessLines(1);

  const proxyB = await lab.proxy(origin.port);
  const hit = await lab.curl(proxyB.url("/1.txt"), site);
  assert.equal(hit.status, 200);
  assert.equal(hit.text, FILES["1.txt"]);
  assert.match(
    hit.headers.get("cache-status") ?? "",
    /^cachelab; hit; ttl=\d+$/,
  );
  assert.match(hit.headers.get("age") ?? "", /^\d+$/);
  assert.equal(hit.headers.get("etag"), stored.headers.get("etag"));

  assert.deepEqual((await proxyB.waitForAccessLines(1)).map((l) => l.result), [
    "HIT",
  ]);
  assert.deepEqual(await lab.stopAll(), [0, 0]);
  // Both have exited: the origin's log is complete.
  assert.deepEqual(
    origin.accessLog().map((l) => l.request),
    ["GET /1.txt HTTP/1.1"],
    "B never asked the origin",
  );
});

Deno.test("cachelab proxy treats corrupt, foreign-version and torn entries as misses and removes them at start-up", async () => {
  await using lab = await Lab.create(FILES);
  const origin = await lab.origin(["--max-age", "60"]);
  const names = Object.keys(FILES).filter((name) => name !== "1.txt");
  const site = { headers: [`Host: 127.0.0.1:${origin.port}`] }; // as above

  const proxyA = await lab.proxy(origin.port);
  for (const name of names) {
    const res = await lab.curl(proxyA.url(`/${name}`), site);
    assert.match(res.headers.get("cache-status") ?? "", /; stored$/);
  }
  await proxyA.waitForAccessLines(names.length);
  assert.equal((await proxyA.stop()).code, 0);

  const metas = await metaFiles(lab.cacheDir);
  const metaOf = (name: string): FoundMeta => {
    const found = metas.find((m) => m.key === origin.url(`/${name}`));
    assert.ok(found?.json, `a metadata file holds ${name}`);
    return found;
  };
  const truncated = metaOf("truncated.txt");
  const text = await Deno.readTextFile(truncated.path);
  await Deno.writeTextFile(truncated.path, text.slice(0, text.length / 2));
  const garbage = metaOf("garbage.txt");
  await Deno.writeFile(
    garbage.path,
    new Uint8Array([0xff, 0, 0x7b, 0x0a, 0x80]),
  );
  const version = metaOf("version.txt");
  await Deno.writeTextFile(
    version.path,
    JSON.stringify({ ...version.json, version: 999 }),
  );
  const shortBody = metaOf("short-body.txt");
  const bodyPath = bodyPathOf(shortBody);
  if (shortBody.inline) { // a small body lives in its sidecar: cut the body there
    const size = (await Deno.stat(shortBody.path)).size;
    await Deno.truncate(shortBody.path, size - 3);
  } else await Deno.truncate(bodyPath, 3);
  const corrupted = [truncated, garbage, version, shortBody];

  const proxyB = await lab.proxy(origin.port);
  const gone = async (path: string) =>
    await Deno.stat(path).then(() => false, () => true);
  await pollUntil(
    async () =>
      (await Promise.all(corrupted.map((m) => gone(m.path)))).every(Boolean),
    "the start-up sweep (in the background) remove the corrupt entries",
  );
  for (const { path } of corrupted) {
    await assert.rejects(
      Deno.stat(path),
      Deno.errors.NotFound,
      `${path} removed at start-up`,
    );
  }
  await assert.rejects(
    Deno.stat(bodyPath),
    Deno.errors.NotFound,
    "the torn body is removed",
  );
  for (const name of names) {
    const res = await lab.curl(proxyB.url(`/${name}`), site);
    assert.equal(res.status, 200, name);
    assert.equal(res.text, FILES[name as keyof typeof FILES], name);
    const expected = name === "intact.txt"
      ? /^cachelab; hit; ttl=\d+$/
      : /^cachelab; fwd=uri-miss; fwd-status=200; stored$/;
    assert.match(res.headers.get("cache-status") ?? "", expected, name);
  }
  const log = await proxyB.waitForAccessLines(names.length);
  assert.deepEqual(
    log.map((l) => l.result),
    names.map((name) => name === "intact.txt" ? "HIT" : "MISS"),
  );
  const after = await metaFiles(lab.cacheDir);
  const current = metaOf("intact.txt").json!.version;
  for (const name of names) {
    const meta = after.find((m) => m.key === origin.url(`/${name}`));
    assert.equal(meta?.json?.version, current, `${name} stored anew`);
  }
  assert.equal(after.length, names.length, "only valid metadata files remain");
  assert.deepEqual(await lab.stopAll(), [0, 0], "no crash");
});
