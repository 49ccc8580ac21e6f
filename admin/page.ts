/**
 * Owns `GET /` on the admin listener: the live page, one self-contained
 * HTML document (its style, page_style.ts, and script, page_script.ts,
 * page_rows.ts, page_clock.ts and page_stream.ts, inline; no build step, nothing loaded from anywhere else) that shows
 * the cache as it works: counters, the proxy's clock (with buttons that
 * move it when it can move), the entries table with ages and
 * freshness counting live, a purge button per entry and a search box,
 * and the request stream with each request's cache result and
 * explanation, all kept current through `/api/events`.
 *
 * Must not compute anything about the cache: the page reads the admin
 * listener's own endpoints (/api/entries, /api/entry, /api/events,
 * /api/clock, /metrics) like any other client.
 */

import { PAGE_CLOCK_SCRIPT } from "./page_clock.ts";
import { PAGE_ROWS_SCRIPT } from "./page_rows.ts";
import { PAGE_SCRIPT } from "./page_script.ts";
import { PAGE_STREAM_SCRIPT } from "./page_stream.ts";
import { PAGE_STYLE } from "./page_style.ts";
import type { AdminHandler } from "./route.ts";

/**
 * What the page may do (CSP Level 3): its own inline style and script,
 * requests to its own origin only, and nothing else: no other site's
 * scripts, fonts, images or frames, no forms, not framed by another page.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COUNTERS: readonly [string, string, string][] = [
  ["requests", "requests", ""],
  ["hits", "hits", "hit"],
  ["misses", "misses", "miss"],
  ["revalidated", "revalidated", "revalidated"],
  ["stale", "served stale", "stale"],
  ["pass", "passed / other", ""],
  ["ratio", "from cache", "ratio"],
  ["entries", "entries", ""],
  ["bytes", "stored", ""],
];

/** Each column: its name, whether it holds a number, its width in px (0: the URL takes the rest). */
const COLUMNS: readonly [string, boolean, number][] = [
  ["state", false, 88],
  ["url", false, 0],
  ["status", true, 64],
  ["size", true, 68],
  ["age", true, 82],
  ["freshness", true, 190],
  ["hits", true, 52],
  ["stored at", true, 92],
  ["", false, 84],
];

/** The whole document. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cachelab · live</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>cachelab <span>live cache</span></h1>
  <div id="live" data-live="false">connecting…</div>
  <div id="clock" title="the proxy's clock: ages and freshness are counted on it">
    <span class="label">clock</span> <b id="clock-time">–</b> <span id="clock-offset"></span>
    <span id="clock-moves" hidden><button type="button" data-advance="10">+10 s</button><button type="button" data-advance="60">+1 min</button><button type="button" data-advance="3600">+1 h</button></span>
    <span id="clock-error"></span>
  </div>
  <div id="admin"></div>
</header>
<main>
  <div class="counters">
${
  COUNTERS.map(([id, label, kind]) =>
    `    <div class="counter ${kind}"><b id="c-${id}">0</b><small>${label}</small></div>`
  ).join("\n")
}
  </div>
  <div class="panels">
    <section>
      <h2>Entries <span class="note" id="entries-note"></span>
        <input id="search" type="search" spellcheck="false" autocomplete="off"
          placeholder="filter: /path prefix, text, or http://host/prefix" aria-label="filter entries">
        <button id="more" type="button" hidden></button></h2>
      <div class="scroll">
        <table>
          <colgroup>${
  COLUMNS.map(([, , px]) => px ? `<col style="width: ${px}px">` : "<col>").join(
    "",
  )
}</colgroup>
          <thead><tr>${
  COLUMNS.map(([name, num]) =>
    name === "url"
      ? `<th id="url-head">url</th>`
      : `<th${num ? ' class="num"' : ""}>${name}</th>`
  ).join("")
}</tr></thead>
          <tbody id="entries"></tbody>
        </table>
        <div class="empty" id="entries-empty">Nothing stored yet. Requests through the proxy show up here.</div>
      </div>
    </section>
    <section>
      <h2>Requests <span class="note" id="since"></span></h2>
      <div class="scroll">
        <ul id="stream"></ul>
        <div class="empty" id="stream-empty">Waiting for requests…</div>
      </div>
    </section>
  </div>
</main>
<footer>Ages and freshness count on the proxy's clock (this page's clock plus the proxy's offset) from the proxy's listing (RFC 9111 §4.2.3); click a URL for its explanation and stored fields.</footer>
<script>${PAGE_SCRIPT}${PAGE_ROWS_SCRIPT}${PAGE_CLOCK_SCRIPT}${PAGE_STREAM_SCRIPT}</script>
</body>
</html>
`;

const BODY = new TextEncoder().encode(PAGE_HTML);

/** The GET / handler: 200 text/html, never stored, under PAGE_CSP. */
export function pageHandler(): AdminHandler {
  return () =>
    new Response(BODY, {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "content-security-policy": PAGE_CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      },
    });
}
