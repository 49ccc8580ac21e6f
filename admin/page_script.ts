/**
 * Owns the first part of the live page's script (admin/page.ts inlines
 * it, then page_stream.ts, which follows `/api/events` and calls these
 * functions): the counters by cache result (from `/metrics`, then the
 * events), and the entries table, re-read after events that change it
 * (throttled: at most one listing per ENTRIES_EVERY_MS however steady the
 * events, so a new entry shows within about a second). A path prefix
 * filter is asked of the proxy (`?prefix=` with each origin the page has
 * seen), a text filter searches the loaded entries and says how many of
 * the stored ones that is, with a button to load more. Ages count up and freshness counts down
 * on the proxy's clock (page_clock.ts proxyNow()) from each listing's `storedAt`, `ageSeconds`
 * and `freshSeconds` (timesOf); an entry turns stale on the page no
 * sooner than the proxy sees it stale. A row's purge button and its
 * explanation are page_rows.ts's.
 *
 * Every value from the proxy goes into the page as text (textContent),
 * never as markup. Must not fetch anything but the admin listener's own
 * endpoints (the page's Content-Security-Policy forbids it anyway).
 */

/** The JavaScript of GET / on the admin listener (no backquotes inside: it sits in a template). */
export const PAGE_SCRIPT = String.raw`
"use strict";
const STREAM_MAX = 300;
const LIST_LIMIT = 500;
const MAX_LIST_LIMIT = 100000;
const ENTRIES_EVERY_MS = 300;
const RESULTS = ["HIT", "HIT-ABORTED", "MISS", "MISS-NOT-STORED", "PARTIAL", "REVALIDATED", "STALE", "BYPASS", "NONE"];
const page = {
  entries: [], more: false, total: { entries: 0, bytes: 0 },
  counts: {}, since: { store: 0, eviction: 0, purge: 0, dropped: 0 },
  loading: false, again: false, timer: 0, due: 0, open: new Set(),
  origins: new Set(), limit: LIST_LIMIT,
};
const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
function bytes(n) {
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return v.toFixed(v < 10 ? 1 : 0) + " " + units[i];
}
function duration(s) {
  s = Math.floor(Math.abs(s));
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " m " + (s % 60) + " s";
  if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " m";
  return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
}
function clock(ms) {
  const d = new Date(ms);
  const p = (n, w) => String(n).padStart(w || 2, "0");
  return p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds()) + "." + p(d.getMilliseconds(), 3);
}
function pathOf(url) {
  const at = url.indexOf("://");
  const slash = at < 0 ? -1 : url.indexOf("/", at + 3);
  return slash < 0 ? "/" : url.slice(slash);
}

// Counters: seeded from /metrics, then one per request event.
function countersFrom(text) {
  const counts = {};
  const total = {};
  for (const line of text.split("\n")) {
    const m = /^cachelab_requests_total\{result="([^"]+)"\} (\S+)$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
    const g = /^cachelab_cache_(entries|bytes) (\S+)$/.exec(line);
    if (g) total[g[1]] = Number(g[2]);
  }
  return { counts, total };
}
function n(result) { return page.counts[result] || 0; }
function renderCounters() {
  const all = RESULTS.reduce((sum, r) => sum + n(r), 0);
  const looked = all - n("BYPASS") - n("NONE");
  const served = n("HIT") + n("STALE") + n("REVALIDATED");
  const set = (name, value) => { $("c-" + name).textContent = value; };
  set("requests", all);
  set("hits", n("HIT"));
  set("misses", n("MISS") + n("MISS-NOT-STORED"));
  set("revalidated", n("REVALIDATED"));
  set("stale", n("STALE"));
  set("pass", n("BYPASS") + n("NONE"));
  set("ratio", looked === 0 ? "–" : Math.round((100 * served) / looked) + " %");
  set("entries", page.total.entries);
  set("bytes", bytes(page.total.bytes));
  $("since").textContent = "since opened: " + page.since.store + " stored · " +
    page.since.eviction + " evicted · " + page.since.purge + " purged" +
    (page.since.dropped ? " · " + page.since.dropped + " events dropped" : "");
}
async function loadMetrics() {
  const res = await fetch("/metrics", { cache: "no-store" });
  const { counts, total } = countersFrom(await res.text());
  page.counts = counts;
  if (total.entries !== undefined) page.total = { entries: total.entries, bytes: total.bytes || 0 };
  renderCounters();
}

// Entries: listed by the proxy, aged here.
function filterText() { return $("search").value.trim(); }
function originOf(url) { return url.slice(0, url.length - pathOf(url).length); }
/** Remembers the origin of a URL the proxy answered for: a path filter asks for each one. */
function noteOrigin(url) { if (url && url.includes("://")) page.origins.add(originOf(url)); }
/** The URL prefixes to list: the filter's own, one per known origin for a path, or all. */
function listPrefixes() {
  const q = filterText();
  if (q.includes("://")) return [q];
  if (q.startsWith("/") && page.origins.size > 0) return [...page.origins].map((o) => o + q);
  return [""];
}
async function listOne(prefix) {
  const params = new URLSearchParams({ limit: String(page.limit) });
  if (prefix) params.set("prefix", prefix);
  const res = await fetch("/api/entries?" + params, { cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}
function shown(entry) {
  const q = filterText();
  if (q === "" || q.includes("://")) return true;
  return q.startsWith("/") ? pathOf(entry.url).startsWith(q) : entry.url.includes(q);
}
async function loadEntries() {
  if (page.loading) { page.again = true; return; }
  page.loading = true;
  try {
    const bodies = await Promise.all(listPrefixes().map(listOne));
    const fetchedAt = proxyNow(); // page_clock.ts: the proxy's time
    const entries = bodies.flatMap((body) => body.entries);
    for (const entry of entries) { timesOf(entry, fetchedAt); noteOrigin(entry.url); }
    page.entries = entries;
    page.more = bodies.some((body) => body.more);
    page.total = bodies[bodies.length - 1].total;
    renderEntries();
    renderCounters();
  } catch (error) {
    $("entries-note").textContent = String(error.message || error);
  } finally {
    page.loading = false;
    if (page.again) { page.again = false; scheduleEntries(0); }
  }
}
/**
 * Re-reads the entries within ms (ENTRIES_EVERY_MS by default). A throttle,
 * not a debounce: a read already due sooner stays, so events arriving
 * faster than that still get the table re-read every ENTRIES_EVERY_MS.
 */
function scheduleEntries(ms) {
  const wait = ms === undefined ? ENTRIES_EVERY_MS : ms;
  if (page.timer && page.due <= Date.now() + wait) return;
  clearTimeout(page.timer);
  page.due = Date.now() + wait;
  page.timer = setTimeout(() => { page.timer = 0; loadEntries(); }, wait);
}
function loadMore() {
  page.limit = Math.min(MAX_LIST_LIMIT, page.limit + LIST_LIMIT);
  scheduleEntries(0);
}
/** The origin most rows share: written once in the column's head, not on each row. */
function mainOrigin(rows) {
  const seen = new Map();
  for (const entry of rows) {
    const origin = originOf(entry.url);
    seen.set(origin, (seen.get(origin) || 0) + 1);
  }
  let best = "", most = 0;
  for (const [origin, count] of seen) if (count > most) { best = origin; most = count; }
  $("url-head").textContent = "url";
  if (best) $("url-head").append(el("span", { text: best }));
  $("url-head").title = best;
  return best;
}
function keyOf(entry) { return entry.url + " " + (entry.via || "") + " " + JSON.stringify(entry.vary); }
/**
 * Times of a listed entry on this page's clock. A listing gives whole
 * seconds (age floored, freshness left floored) at the proxy's "now",
 * and storedAt to the ms. The time it turns stale, storedAt plus a whole
 * number of seconds (freshness_lifetime - corrected_initial_age, RFC 9111
 * §4.2.3), is the smallest one the listing allows that is not before it:
 * the page never calls an entry stale sooner than the proxy does.
 */
function timesOf(entry, fetchedAt) {
  const storedAt = Date.parse(entry.storedAt);
  const resident = (fetchedAt - storedAt) / 1000; // a little late: fetchedAt is after the proxy's now
  entry.freshUntil = storedAt + Math.ceil(entry.freshSeconds + resident) * 1000;
  entry.initialAge = Math.max(0, entry.ageSeconds - Math.floor(resident));
  entry.lifetime = entry.initialAge + (entry.freshUntil - storedAt) / 1000;
  entry.storedAtMs = storedAt;
}
function now(entry) {
  const t = proxyNow();
  const age = entry.initialAge + (t - entry.storedAtMs) / 1000;
  const left = (entry.freshUntil - t) / 1000; // RFC 9111 §4.2: fresh while above 0
  let state = entry.state;
  if (state === "fresh" && left <= 0) state = "stale";
  return { age, left, state };
}
function renderEntries() {
  const body = $("entries");
  body.textContent = "";
  const rows = page.entries.filter(shown);
  page.origin = mainOrigin(rows);
  for (const entry of rows) {
    const key = keyOf(entry);
    const vary = Object.entries(entry.vary).map(([k, v]) => k + "=" + (v === null ? "∅" : v)).join(" ");
    const origin = originOf(entry.url);
    const url = el("td", { className: "url", title: entry.url + (entry.via ? " via " + entry.via : "") },
      origin === page.origin ? null : el("span", { className: "origin", text: origin }),
      pathOf(entry.url), vary ? el("span", { className: "vary", text: vary }) : null);
    const purge = el("button", { className: "purge", type: "button", title: "DELETE /api/entries?url=" + entry.url, text: "Purge" });
    const failed = el("span", { className: "purge-error" });
    purge.addEventListener("click", () => purgeUrl(entry.url, purge, failed));
    const row = el("tr", { className: "entry", "data-url": entry.url, "data-key": key },
      el("td", {}, el("span", { className: "badge state" })),
      url,
      el("td", { className: "num" + (entry.status >= 400 ? " status-err" : ""), text: String(entry.status) }),
      el("td", { className: "num", text: bytes(entry.bodySize) }),
      el("td", { className: "num age" }),
      el("td", { className: "num" }, el("div", { className: "life" }, el("span", { className: "left" }), el("div", { className: "bar" }, el("i")))),
      el("td", { className: "num", text: String(entry.hits) }),
      el("td", { className: "num", title: entry.storedAt, text: clock(Date.parse(entry.storedAt)).slice(0, 8) }),
      el("td", { className: "purge" }, failed, purge));
    row.entry = entry;
    url.addEventListener("click", () => toggleDetail(row));
    body.append(row);
    if (page.open.has(key)) showDetail(row);
  }
  const hidden = page.entries.length - rows.length;
  const q = filterText();
  const asked = q.includes("://") || (q.startsWith("/") && page.origins.size > 0);
  $("entries-note").textContent = rows.length + " shown" + (hidden ? ", " + hidden + " filtered out" : "") +
    " of " + page.entries.length + (asked ? " matching" : "") + " loaded" +
    (page.more ? (asked ? " (more match)" : q ? " (the filter searched these only)" : "") : "") +
    " · " + page.total.entries + " stored, " + bytes(page.total.bytes);
  $("more").hidden = !page.more || page.limit >= MAX_LIST_LIMIT;
  $("more").textContent = "load " + LIST_LIMIT + " more";
  $("entries-empty").hidden = rows.length > 0;
  tick();
}
function tick() {
  for (const row of document.querySelectorAll("tr.entry")) {
    const { age, left, state } = now(row.entry);
    row.dataset.state = state;
    const badge = row.querySelector(".state");
    badge.textContent = state;
    row.querySelector(".age").textContent = duration(age);
    const lifetime = row.entry.lifetime;
    let text, share;
    if (state === "no-cache") { text = "validated on use"; share = 0; }
    else if (state === "fresh") { text = duration(Math.max(0, left)) + " left"; share = lifetime > 0 ? Math.max(0, left) / lifetime : 0; }
    else { text = "stale by " + duration(Math.max(0, -left)); share = 0; }
    row.querySelector(".left").textContent = text;
    row.querySelector(".life").title = text;
    row.querySelector(".bar i").style.width = Math.round(Math.min(1, share) * 100) + "%";
  }
}
`;
