/**
 * The browser test of the live page (admin/page.ts): Debian's chromium,
 * headless (tests/helpers/browser.ts), opens `GET /` on the admin
 * listener of a real proxy (a child process) in front of an in-process
 * origin; requests made through the proxy show up as rows and in the
 * stream, the max-age=2 entry turns stale on the page (and the API
 * agrees), its purge button removes it (and the API agrees), and the page
 * loads nothing from anywhere but its admin listener; on a proxy with a
 * movable clock (the lab's), a click on "+1 min" turns a max-age=60 entry
 * stale at once, on the page and in the API. Every wait is on
 * the page's own state, bounded; the screenshot goes to the test's temp
 * folder (and to docs/admin-page.png when CACHELAB_UPDATE_SCREENSHOT=1).
 */

import assert from "../helpers/assert.ts";
import { browserTest, launchBrowser } from "../helpers/browser.ts";
import { LineProcess, REPO } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { startTestServer, textResponse } from "../helpers/test_server.ts";
import { startProxyWithAdmin } from "../../admin/launch.ts";
import { MovableClock } from "../../http/clock.ts";
import { CACHE_DEFAULTS } from "../../cli/cache_flags.ts";
import { DEFAULT_TARGETED_FIELDS } from "../../proxy/config.ts";

/** A bound on each wait for the page; never an oracle. */
const WAIT_MS = 15_000;
const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:\d+)$/;

/** What the origin answers per path: a lab's files with their Cache-Control. */
const FILES: Record<string, [string, string]> = {
  "/fresh.txt": ["max-age=2", "fresh for two seconds\n"],
  "/notes/long.txt": ["max-age=600", "kept ten minutes\n".repeat(40)],
  "/validate.txt": ["no-cache", "validated on every use\n"],
  "/private.txt": ["private, max-age=60", "for one user only\n"],
};

async function get(url: string, init?: RequestInit): Promise<Response> {
  return await withDeadline(fetch(url, init), 10_000, `fetching ${url}`);
}

browserTest(
  "GET / shows a row appear, turn stale and go when purged from the page, in headless chromium",
  async () => {
    await using origin = startTestServer((req) => {
      const file = FILES[req.head.target];
      if (!file) return Promise.resolve(textResponse("not here\n", 404));
      const etag = `"${file[1].length}"`;
      if (req.head.headers.get("if-none-match") === etag) {
        return Promise.resolve({
          status: 304,
          headers: textResponse("", 304, [["Cache-Control", file[0]], [
            "ETag",
            etag,
          ]]).headers,
        });
      }
      return Promise.resolve(
        textResponse(file[1], 200, [["Cache-Control", file[0]], [
          "ETag",
          etag,
        ]]),
      );
    });
    const temp = await Deno.makeTempDir({ prefix: "cachelab-page-" });
    try {
      await using child = await LineProcess.cachelab([
        "proxy",
        "0",
        String(origin.addr.port),
        "--cache-dir",
        `${temp}/cache`,
        "--quiet",
      ]);
      const port = LISTENING.exec((await child.nextLine()) ?? "")?.[1];
      const admin = ADMIN.exec((await child.nextLine()) ?? "")?.[1];
      assert.ok(port && admin, `stdout: ${child.seen.join(" / ")}`);
      const proxy = `http://127.0.0.1:${port}`;
      const fresh = `${proxy}/fresh.txt`;
      const row = `tr.entry[data-url="${fresh}"]`;

      await using chromium = await launchBrowser(temp);
      const page = await chromium.browser.newPage();
      const asked: string[] = [];
      page.on("request", (request) => void asked.push(request.url()));
      const errors: string[] = [];
      page.on("pageerror", (error) => void errors.push(String(error)));
      await page.goto(`${admin}/`, { timeout: WAIT_MS });
      await page.waitForSelector('#live[data-live="true"]', {
        timeout: WAIT_MS,
      });

      for (
        const path of [
          "/notes/long.txt",
          "/validate.txt",
          "/validate.txt",
          "/private.txt",
          "/fresh.txt",
          "/fresh.txt",
          "/notes/long.txt",
        ]
      ) {
        await (await get(`${proxy}${path}`)).text();
      }

      // The row appears, fresh, with its hit; the stream says why.
      await page.waitForSelector(`${row}[data-state="fresh"]`, {
        timeout: WAIT_MS,
      });
      await page.waitForFunction(
        'document.querySelectorAll("tr.entry").length === 3',
        { timeout: WAIT_MS },
      );
      await page.waitForFunction(
        'document.getElementById("c-hits").textContent === "2"',
        { timeout: WAIT_MS },
      );
      const stream = await page.$$eval(
        "#stream li",
        (items) =>
          items.map((li) => [
            li.getAttribute("data-result"),
            li.querySelector(".what")?.textContent ?? "",
            li.querySelector(".why")?.textContent ?? "",
          ]),
      );
      const hit = stream.find(([r, what]) =>
        r === "HIT" && what.endsWith("GET /fresh.txt")
      );
      assert.ok(hit, JSON.stringify(stream));
      assert.match(hit[2]!, /^fresh: age \d+ s = .*lifetime 2 s from max-age/);
      const notStored = stream.find(([r, what]) =>
        r === "MISS" && what.endsWith("GET /private.txt")
      );
      assert.match(notStored?.[2] ?? "", /not stored: .*private/);
      assert.ok(stream.some(([r]) => r === "REVALIDATED"));

      // It turns stale on the page's own clock, and the proxy agrees.
      await page.waitForSelector(`${row}[data-state="stale"]`, {
        timeout: WAIT_MS,
      });
      const listed = await (await get(
        `${admin}/api/entries?prefix=${encodeURIComponent(fresh)}`,
      )).json();
      assert.equal(listed.entries.length, 1);
      assert.equal(listed.entries[0].state, "stale");
      assert.match(
        await page.$eval(`${row} .left`, (cell) => cell.textContent) ?? "",
        /^stale by \d+ s$/,
      );

      // A click on a URL shows its explanation (/api/entry) under its row.
      await page.click(`tr.entry[data-url="${proxy}/notes/long.txt"] td.url`);
      await page.waitForFunction(
        'document.querySelector("tr.detail")?.textContent.includes("lifetime 600 s from max-age")',
        { timeout: WAIT_MS },
      );
      const detail = await page.$eval("tr.detail", (cell) => cell.textContent);
      assert.match(
        detail ?? "",
        /^age \d+ s = corrected initial age 0 \+ resident \d+ /,
      );
      assert.match(detail ?? "", /\ncache-control: max-age=600\n/i);

      const shot = `${temp}/admin-page.png`;
      await page.screenshot({ path: shot });
      await page.emulateMediaFeatures([{
        name: "prefers-color-scheme",
        value: "dark",
      }]);
      await page.screenshot({ path: `${temp}/admin-page-dark.png` });
      await page.emulateMediaFeatures([]);
      assert.ok((await Deno.stat(shot)).size > 10_000);
      if (Deno.env.get("CACHELAB_UPDATE_SCREENSHOT") === "1") {
        await Deno.copyFile(shot, `${REPO}docs/admin-page.png`);
      }

      // Its purge button removes it; the page and the API agree.
      await page.click(`${row} button.purge`);
      await page.waitForFunction(
        `document.querySelector(${JSON.stringify(row)}) === null`,
        { timeout: WAIT_MS },
      );
      await page.waitForSelector('#stream li[data-result="PURGE"]', {
        timeout: WAIT_MS,
      });
      const gone = await get(
        `${admin}/api/entry?url=${encodeURIComponent(fresh)}`,
      );
      assert.equal(gone.status, 404);
      await gone.body?.cancel();
      assert.equal(
        await page.$$eval("tr.entry", (rows) => rows.length),
        2,
      );

      // The filter: a path prefix on the page, a URL prefix asked of the proxy.
      const rowsNow = () =>
        page.$$eval("tr.entry", (rows) => rows.map((r) => r.dataset.url));
      await page.type("#search", "/notes/");
      await page.waitForFunction(
        'document.querySelectorAll("tr.entry").length === 1',
        { timeout: WAIT_MS },
      );
      assert.deepEqual(await rowsNow(), [`${proxy}/notes/long.txt`]);
      await page.evaluate('document.getElementById("search").value = ""');
      await page.type("#search", `${proxy}/val`);
      await page.waitForFunction(
        `[...document.querySelectorAll("tr.entry")].map((r) => r.dataset.url).join() === ${
          JSON.stringify(`${proxy}/validate.txt`)
        }`,
        { timeout: WAIT_MS },
      );

      assert.deepEqual(errors, []);
      const elsewhere = asked.filter((url) => !url.startsWith(`${admin}/`));
      assert.deepEqual(elsewhere, []); // nothing but its own listener
      await page.close();
      child.signal("SIGTERM");
      assert.equal((await child.finish()).code, 0);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
);

browserTest(
  "GET / moves a movable clock with its +1 min button and the max-age=60 entry turns stale at once, in headless chromium",
  async () => {
    await using origin = startTestServer(() =>
      Promise.resolve(
        textResponse("a minute\n", 200, [["Cache-Control", "max-age=60"]]),
      )
    );
    const temp = await Deno.makeTempDir({ prefix: "cachelab-page-clock-" });
    const clock = new MovableClock();
    try {
      const launched = await startProxyWithAdmin({
        host: "127.0.0.1",
        port: 0,
        upstream: { host: "127.0.0.1", port: origin.addr.port },
        forward: false,
        connectPorts: [],
        connectTimeoutMs: 2000,
        responseTimeoutMs: 3000,
        headTimeoutMs: 2000,
        idleTimeoutMs: 3000,
        maxConnections: 64,
        maxUpstreamConnections: 16,
        clock,
        cache: {
          store: {
            kind: "file",
            dir: `${temp}/cache`,
            sizeBytes: CACHE_DEFAULTS.cacheBytes,
          },
          maxObjectBytes: CACHE_DEFAULTS.maxObjectBytes,
          memoryBytes: CACHE_DEFAULTS.memoryBytes,
          skipBinary: false,
          targetedFields: DEFAULT_TARGETED_FIELDS,
          storeSetCookie: false,
          maxStaleOnErrorSeconds: 0,
        },
      }, { host: "127.0.0.1", port: 0 });
      try {
        const admin = ADMIN.exec(launched.more[0] ?? "")?.[1];
        assert.ok(admin, launched.more.join(" / "));
        const url = `http://127.0.0.1:${launched.addr.port}/minute.txt`;
        const row = `tr.entry[data-url="${url}"]`;

        await using chromium = await launchBrowser(temp);
        const page = await chromium.browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => void errors.push(String(error)));
        await page.goto(`${admin}/`, { timeout: WAIT_MS });
        await page.waitForSelector('#live[data-live="true"]', {
          timeout: WAIT_MS,
        });
        await page.waitForSelector("#clock-moves:not([hidden])", {
          timeout: WAIT_MS,
        });
        assert.equal(
          await page.$eval("#clock-offset", (e) => e.textContent),
          "real time",
        );
        await (await get(url)).text();
        await page.waitForSelector(`${row}[data-state="fresh"]`, {
          timeout: WAIT_MS,
        });

        await page.click('#clock-moves button[data-advance="60"]');
        await page.waitForSelector(`${row}[data-state="stale"]`, {
          timeout: WAIT_MS,
        });
        assert.equal(clock.offsetSeconds, 60);
        assert.equal(
          await page.$eval("#clock-offset", (e) => e.textContent),
          "+1 m 0 s",
        );
        assert.match(
          await page.$eval(`${row} .left`, (cell) => cell.textContent) ?? "",
          /^stale by \d+ s$/,
        );
        const listed = await (await get(`${admin}/api/entries`)).json();
        assert.equal(listed.entries[0].state, "stale");
        assert.ok(listed.entries[0].ageSeconds >= 60);
        await page.waitForSelector('#stream li[data-result="CLOCK"]', {
          timeout: WAIT_MS,
        });
        assert.deepEqual(errors, []);
        await page.close();
      } finally {
        await launched.shutdown(1000);
      }
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
);
