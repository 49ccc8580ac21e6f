/**
 * The review's browser tests of the live page (admin/page.ts) under
 * heavier use than the first browser test: a cache of more entries than
 * the page lists at once, and requests that keep arriving. Each starts a
 * real proxy (a child process) in front of an in-process origin and opens
 * its admin page in headless chromium (tests/helpers/browser.ts). Every
 * wait is on the page's own state and bounded.
 */

import assert from "../helpers/assert.ts";
import { browserTest, launchBrowser } from "../helpers/browser.ts";
import { LineProcess } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { startTestServer, textResponse } from "../helpers/test_server.ts";

/** A bound on each wait for the page; never an oracle. */
const WAIT_MS = 15_000;
const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:\d+)$/;

async function drain(url: string): Promise<void> {
  const res = await withDeadline(fetch(url), 10_000, `fetching ${url}`);
  await res.arrayBuffer();
}

/** Runs `fn` over `items`, `width` at a time. */
async function each<T>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** A proxy child in front of an origin answering every path with max-age=600, and its admin URL. */
async function withProxy(
  fn: (proxy: string, admin: string, temp: string) => Promise<void>,
): Promise<void> {
  await using origin = startTestServer(() =>
    Promise.resolve(
      textResponse("x\n", 200, [["Cache-Control", "max-age=600"]]),
    )
  );
  const temp = await Deno.makeTempDir({ prefix: "cachelab-page-hostile-" });
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
    await fn(`http://127.0.0.1:${port}`, admin, temp);
  } finally {
    await Deno.remove(temp, { recursive: true });
  }
}

browserTest(
  "GET / finds an entry the first listing left out when the filter names its path, with 700 entries",
  async () => {
    await withProxy(async (proxy, admin, temp) => {
      const paths = Array.from({ length: 700 }, (_, i) => `/e/${i}.txt`);
      await each(paths, 8, (path) => drain(`${proxy}${path}`));
      const all = await (await withDeadline(
        fetch(`${admin}/api/entries?limit=100000`),
        10_000,
        "listing",
      )).json();
      assert.equal(all.entries.length, 700);
      // One the proxy lists late: past the page's first 500.
      const late: string = all.entries[650].url;
      const latePath = late.slice(proxy.length);

      await using chromium = await launchBrowser(temp);
      const page = await chromium.browser.newPage();
      await page.goto(`${admin}/`, { timeout: WAIT_MS });
      await page.waitForSelector('#live[data-live="true"]', {
        timeout: WAIT_MS,
      });
      await page.waitForFunction(
        'document.querySelectorAll("tr.entry").length > 0',
        { timeout: WAIT_MS },
      );
      await page.type("#search", latePath);
      let found = true;
      try {
        await page.waitForSelector(`tr.entry[data-url="${late}"]`, {
          timeout: 5_000,
        });
      } catch {
        found = false;
      }
      const note = await page.$eval("#entries-note", (n) => n.textContent);
      await page.screenshot({ path: "/tmp/r12p/filter-700.png" });
      assert.ok(
        found,
        `filter "${latePath}" does not show ${late}; the page says: ${note}`,
      );
    });
  },
);

browserTest(
  "GET / shows a newly stored entry while requests keep arriving every 50 ms",
  async () => {
    await withProxy(async (proxy, admin, temp) => {
      await drain(`${proxy}/busy.txt`);
      await using chromium = await launchBrowser(temp);
      const page = await chromium.browser.newPage();
      await page.goto(`${admin}/`, { timeout: WAIT_MS });
      await page.waitForSelector('#live[data-live="true"]', {
        timeout: WAIT_MS,
      });
      await page.waitForSelector(`tr.entry[data-url="${proxy}/busy.txt"]`, {
        timeout: WAIT_MS,
      });

      // Steady traffic: a hit on /busy.txt every 50 ms until stopped.
      let stop = false;
      let hits = 0;
      const traffic = (async () => {
        while (!stop) {
          await drain(`${proxy}/busy.txt`);
          hits++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      try {
        await drain(`${proxy}/new.txt`);
        let shown = true;
        try {
          await page.waitForSelector(`tr.entry[data-url="${proxy}/new.txt"]`, {
            timeout: 8_000,
          });
        } catch {
          shown = false;
        }
        const streamed = await page.$$eval(
          '#stream li[data-result="STORE"]',
          (items) => items.length,
        );
        await page.screenshot({ path: "/tmp/r12p/busy.png" });
        assert.ok(
          shown,
          `the table never showed /new.txt during ${hits} hits, though the stream showed ${streamed} store(s)`,
        );
      } finally {
        stop = true;
        await traffic;
      }
    });
  },
);

browserTest(
  "GET / says a purge failed when the admin listener cannot be reached",
  async () => {
    await using origin = startTestServer(() =>
      Promise.resolve(
        textResponse("x\n", 200, [["Cache-Control", "max-age=600"]]),
      )
    );
    const temp = await Deno.makeTempDir({ prefix: "cachelab-page-hostile-" });
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
      const url = `http://127.0.0.1:${port}/gone.txt`;
      await drain(url);
      await using chromium = await launchBrowser(temp);
      const page = await chromium.browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => void errors.push(String(error)));
      await page.goto(`${admin}/`, { timeout: WAIT_MS });
      const row = `tr.entry[data-url="${url}"]`;
      await page.waitForSelector(row, { timeout: WAIT_MS });
      child.signal("SIGKILL"); // the proxy is gone; the page is still open
      await page.waitForFunction(
        'document.getElementById("live").dataset.live === "false"',
        { timeout: WAIT_MS },
      );
      await page.click(`${row} button.purge`);
      let told = true;
      try {
        await page.waitForFunction(
          `document.querySelector(${
            JSON.stringify(row + " button.purge")
          })?.textContent !== "Purge"`,
          { timeout: 5_000 },
        );
      } catch {
        told = false;
      }
      const button = await page.$eval(
        `${row} button.purge`,
        (b) => `${b.textContent} (disabled: ${b.hasAttribute("disabled")})`,
      );
      assert.ok(
        told,
        `the button still says ${button}; errors in the page: ${
          errors.join(" / ")
        }`,
      );
      assert.equal(button, "Retry (disabled: false)");
      assert.equal(
        await page.$eval(`${row} .purge-error`, (n) => n.textContent),
        "purge failed",
      );
      assert.deepEqual(errors, []);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
);
