/**
 * Owns the headless browser of the browser tests: Debian's `chromium`
 * (found on PATH; `.ci/run` installs it with apt when missing) driven by
 * npm:puppeteer-core, started so that it sends nothing anywhere but the
 * test's own loopback servers (no background networking, component
 * updates, sync, first-run work, default apps, extensions, metrics,
 * domain reliability, pings or crash reports), with its user data folder
 * under the test's temp folder, and always closed.
 *
 * Must not download a browser (puppeteer-core never does) nor be used by
 * product code.
 */

import puppeteer, { type Browser } from "puppeteer-core";

/** The switches that keep chromium quiet and local. */
export const QUIET_SWITCHES: readonly string[] = [
  "--headless=new",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-domain-reliability",
  "--disable-breakpad",
  "--disable-client-side-phishing-detection",
  "--metrics-recording-only",
  "--no-pings",
  "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
  "--password-store=basic",
  "--use-mock-keychain",
  "--disable-dev-shm-usage",
];

/** Where chromium is, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d);
  for (const dir of dirs) {
    for (const name of ["chromium", "chromium-browser"]) {
      try {
        const path = `${dir}/${name}`;
        if (Deno.statSync(path).isFile) return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** A running browser; dispose closes it (and its processes). */
export interface TestBrowser extends AsyncDisposable {
  browser: Browser;
}

/**
 * Starts headless chromium with QUIET_SWITCHES and a user data folder
 * in `tempDir`. Throws "Cannot start chromium: ..." when it is missing or
 * does not start.
 */
export async function launchBrowser(tempDir: string): Promise<TestBrowser> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    throw new Error("Cannot start chromium: it is not on PATH");
  }
  const args = [...QUIET_SWITCHES, "--window-size=1440,900"];
  if (Deno.uid() === 0) args.push("--no-sandbox"); // root cannot use the setuid sandbox
  const browser = await puppeteer.launch({
    executablePath,
    userDataDir: `${tempDir}/chromium-profile`,
    headless: true,
    pipe: true, // DevTools over the process's pipes: no debugging port at all
    args, // besides puppeteer's own defaults (which turn much of the same off)
    defaultViewport: { width: 1440, height: 900 },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 30_000,
  });
  return {
    browser,
    [Symbol.asyncDispose]: () => browser.close(),
  };
}

/** Declares a browser test, skipped with a visible reason when chromium is not installed. */
export function browserTest(name: string, fn: () => Promise<void>): void {
  const found = chromiumPath() !== undefined;
  Deno.test({
    name: found ? name : `${name} (skipped: chromium not found)`,
    ignore: !found,
    fn,
  });
}
