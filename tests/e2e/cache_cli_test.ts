/**
 * End-to-end tests of `cachelab cache ls|show|purge|stats` with real
 * processes: on the folder a stopped proxy filled (the folder read
 * directly; what was purged stays purged for the next proxy), against a
 * running proxy (through its admin API: its hits show, and a purge is a
 * miss on the next request), and a proxy run with --no-admin (one line,
 * exit 1).
 */

import assert from "../helpers/assert.ts";
import { runCachelab } from "../helpers/cli_process.ts";
import { Lab } from "./helpers.ts";

const FILES = {
  "1.txt": "one\n",
  "2.txt": "two, a little longer\n",
  "docs/a.html": "<p>a</p>\n",
};

/** An origin (max-age 60) and, in front of it, a proxy on lab.cacheDir; clients name the origin in Host, so keys outlive the proxy port. */
async function filledLab(proxyArgs: string[] = []) {
  const lab = await Lab.create();
  await Deno.mkdir(`${lab.root}/docs`);
  for (const [name, text] of Object.entries(FILES)) {
    await lab.write(name, text);
  }
  const origin = await lab.origin(["--max-age", "60"]);
  const site = `http://127.0.0.1:${origin.port}`;
  const proxy = await lab.proxy(origin.port, proxyArgs);
  const get = (path: string) =>
    lab.curl(proxy.url(path), { headers: [`Host: 127.0.0.1:${origin.port}`] });
  for (const name of Object.keys(FILES)) {
    assert.match(
      (await get(`/${name}`)).headers.get("cache-status")!,
      /stored/,
    );
  }
  assert.match((await get("/1.txt")).headers.get("cache-status")!, /hit/);
  return { lab, origin, proxy, site, get };
}

/** `cachelab cache ARGS --cache-dir DIR`. */
function cache(dir: string, ...args: string[]) {
  return runCachelab(["cache", ...args, "--cache-dir", dir]);
}

async function json(dir: string, ...args: string[]) {
  const run = await cache(dir, ...args, "--json");
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  return JSON.parse(run.stdout);
}

Deno.test("cachelab cache ls, show, purge and stats work on the folder of a stopped proxy", async () => {
  const { lab, origin, proxy, site } = await filledLab();
  await using _ = lab;
  const dir = lab.cacheDir;
  assert.equal((await proxy.stop()).code, 0);

  const listed = await json(dir, "ls");
  assert.deepEqual(
    listed.entries.map((e: { url: string }) => e.url).sort(),
    Object.keys(FILES).map((name) => `${site}/${name}`).sort(),
  );
  assert.equal(listed.more, false);
  assert.equal(listed.total.entries, 3);
  for (const entry of listed.entries) {
    assert.equal(entry.status, 200);
    assert.equal(entry.state, "fresh");
    assert.equal(entry.hits, 0); // hits are counted by a running proxy only
  }

  const table = await cache(dir, "ls");
  assert.equal(table.code, 0);
  const lines = table.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^URL +STATUS +SIZE +AGE +FRESH LEFT +STATE +HITS$/);
  for (const line of lines.slice(1, 4)) {
    assert.match(
      line,
      new RegExp(`^${site}/\\S+ +200 +\\d+ B +\\d+s +\\d+s +fresh +0$`),
    );
    assert.equal(line.indexOf(" fresh "), lines[0]!.indexOf(" STATE")); // aligned
  }
  assert.equal(
    lines[4],
    `3 shown; 3 entries, ${
      sizeText(listed.total.bytes)
    } in the cache (folder ${dir})`,
  );
  assert.equal(lines.length, 5);

  const docs = await json(dir, "ls", "--prefix", `${site}/docs/`);
  assert.deepEqual(docs.entries.map((e: { url: string }) => e.url), [
    `${site}/docs/a.html`,
  ]);

  const shown = await json(dir, "show", `${site}/1.txt`);
  assert.equal(shown.url, `${site}/1.txt`);
  assert.equal(shown.variants.length, 1);
  assert.equal(shown.variants[0].bodySize, FILES["1.txt"].length);
  assert.equal(
    typeof shown.variants[0].explanation?.lifetime?.seconds,
    "number",
    "offline, each variant is explained as the admin listener explains it",
  );
  const text = await cache(dir, "show", `${site}/1.txt`);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^ {2}status +200$/m);
  assert.match(text.stdout, /^ {4}Cache-Control: max-age=60$/m);

  const unknown = await cache(dir, "show", `${site}/nope`);
  assert.deepEqual(unknown, {
    code: 1,
    signal: null,
    stdout: "",
    stderr: `cachelab: Cannot show ${site}/nope: it is not stored\n`,
  });

  assert.deepEqual(await json(dir, "stats"), listed.total);
  const purge = await cache(dir, "purge", "--prefix", `${site}/docs/`);
  assert.equal(purge.stdout, `purged 1 entry (folder ${dir})\n`);
  assert.equal(purge.code, 0);
  assert.equal((await json(dir, "stats")).entries, 2);
  const stats = await cache(dir, "stats");
  assert.match(stats.stdout, /^entries +2\nbytes +.+\nsource +folder /);

  // The folder was released: a proxy starts on it, and the purge holds.
  const proxy2 = await lab.proxy(origin.port);
  const again = (path: string) =>
    lab.curl(proxy2.url(path), { headers: [`Host: 127.0.0.1:${origin.port}`] });
  assert.match((await again("/1.txt")).headers.get("cache-status")!, /hit/);
  assert.match(
    (await again("/docs/a.html")).headers.get("cache-status")!,
    /miss/,
  );
});

Deno.test("cachelab cache goes through the running proxy's admin API: its hits, and a purge the proxy sees", async () => {
  const { lab, site, get } = await filledLab();
  await using _ = lab;
  const dir = lab.cacheDir;
  const holder = JSON.parse(await Deno.readTextFile(`${dir}/cachelab.lock`));
  const source = `admin ${holder.admin} of pid ${holder.pid}`;

  const listed = await json(dir, "ls");
  const direct = await (await fetch(`${holder.admin}/api/entries`)).json();
  const timeless = (e: Record<string, unknown>) => ({
    ...e,
    ageSeconds: 0,
    freshSeconds: 0,
  });
  assert.deepEqual(listed.entries.map(timeless), direct.entries.map(timeless));
  assert.deepEqual(listed.total, direct.total);
  assert.equal(listed.entries[0].url, `${site}/1.txt`); // most recently used
  assert.equal(listed.entries[0].hits, 1);

  const table = await cache(dir, "ls", "--prefix", `${site}/1`);
  assert.match(
    table.stdout,
    new RegExp(`^${site}/1\\.txt +200 .* fresh +1$`, "m"),
  );
  assert.match(
    table.stdout,
    /\(admin http:\/\/127\.0\.0\.1:\d+ of pid \d+\)\n$/,
  );

  const shown = await json(dir, "show", `${site}/1.txt`);
  assert.equal(shown.variants[0].hits, 1);
  assert.deepEqual(await json(dir, "stats"), direct.total);
  const viaFlag = await runCachelab([
    "cache",
    "stats",
    "--admin",
    holder.admin,
    "--json",
  ]);
  assert.deepEqual(JSON.parse(viaFlag.stdout), direct.total);

  const purge = await cache(dir, "purge", `${site}/1.txt`);
  assert.equal(purge.stdout, `purged 1 entry (${source})\n`);
  assert.match(
    (await get("/1.txt")).headers.get("cache-status")!,
    /fwd=uri-miss/,
  );
  assert.deepEqual(await json(dir, "purge", "--all"), { purged: 3 });
  assert.match(
    (await get("/2.txt")).headers.get("cache-status")!,
    /fwd=uri-miss/,
  );
});

Deno.test("cachelab cache exits 1 with one line when the proxy holding the folder runs with --no-admin", async () => {
  const { lab } = await filledLab(["--no-admin"]);
  await using _ = lab;
  const holder = JSON.parse(
    await Deno.readTextFile(`${lab.cacheDir}/cachelab.lock`),
  );
  assert.equal(holder.admin, null);
  for (const action of [["ls"], ["stats", "--json"], ["purge", "--all"]]) {
    assert.deepEqual(await cache(lab.cacheDir, ...action), {
      code: 1,
      signal: null,
      stdout: "",
      stderr:
        `cachelab: Cannot run cache ${
          action[0]
        }: ${lab.cacheDir} is in use by cachelab pid ${holder.pid}, ` +
        "which has no admin listener (--no-admin); stop it, or restart it without --no-admin\n",
    });
  }
});

/** cli/cache_format.ts's formatSize, restated for the totals line. */
function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kib = bytes / 1024;
  return kib < 10
    ? `${Math.round(kib * 10) / 10} KiB`
    : `${Math.round(kib)} KiB`;
}
