/**
 * Owns the live page's request stream and its start (admin/page.ts
 * inlines it after page_script.ts, in the same script): it follows
 * `/api/events` with an EventSource, reads `/metrics` and `/api/entries`
 * once subscribed (the page says "live" then), and for each event adds a
 * line to the stream (a request with its status, cache result, duration
 * and explanation; a store, eviction, purge, clock move or drop) and
 * updates the counters and, throttled, the entries table.
 *
 * Must not build markup from the proxy's values: text only (el()).
 */

/** The second part of the page's script (no backquotes inside: it sits in a template). */
export const PAGE_STREAM_SCRIPT = String.raw`
// The request stream.
function streamItem(result, what, right, why, time) {
  const item = el("li", { className: "fresh-in", "data-result": result },
    el("div", { className: "line" },
      el("span", { className: "time", text: clock(time) }),
      el("span", { className: "badge", text: result }),
      el("span", { className: "what", text: what }),
      right ? el("span", { className: "ms", text: right }) : null),
    why ? el("p", { className: "why", text: why }) : null);
  const list = $("stream");
  list.prepend(item);
  while (list.children.length > STREAM_MAX) list.lastElementChild.remove();
  $("stream-empty").hidden = true;
}
function target(t) { return t.url || (t.prefix ? t.prefix + "*" : "everything"); }
function follow() {
  const source = new EventSource("/api/events");
  source.addEventListener("open", async () => {
    // Subscribed first, then read what is there: "live" once both are read.
    $("live").textContent = "reading…";
    try {
      await loadClock();
      await loadMetrics();
      await loadEntries();
    } catch (error) {
      $("entries-note").textContent = String(error.message || error);
    }
    $("live").dataset.live = "true";
    $("live").textContent = "live";
  });
  source.addEventListener("error", () => {
    $("live").dataset.live = "false";
    $("live").textContent = "reconnecting…";
  });
  source.addEventListener("request", (m) => {
    const e = JSON.parse(m.data);
    noteOrigin(e.url);
    page.counts[e.result] = n(e.result) + 1;
    renderCounters();
    streamItem(e.result, e.status + " " + e.method + " " + e.url, e.durationMs + " ms", e.explanation, e.time);
    if (e.result !== "NONE" && e.result !== "BYPASS") scheduleEntries();
  });
  source.addEventListener("store", (m) => {
    const e = JSON.parse(m.data);
    page.since.store++;
    streamItem("STORE", e.status + " " + e.url, bytes(e.bodySize), "", e.time);
    scheduleEntries();
  });
  source.addEventListener("eviction", (m) => {
    const e = JSON.parse(m.data);
    page.since.eviction++;
    streamItem("EVICTION", e.url, bytes(e.bodySize), "removed to stay under --cache-size", e.time);
    scheduleEntries();
  });
  source.addEventListener("purge", (m) => {
    const e = JSON.parse(m.data);
    page.since.purge += e.purged;
    streamItem("PURGE", target(e.target), e.purged + " removed", "", e.time);
    scheduleEntries(0);
  });
  source.addEventListener("clock", (m) => {
    const e = JSON.parse(m.data);
    setClock({ offsetSeconds: e.offsetSeconds, movable: page.clock.movable });
    streamItem("CLOCK", "clock moved to " + offsetText(e.offsetSeconds * 1000), "", "ages and freshness follow it", e.time);
    tick();
    scheduleEntries(0);
  });
  source.addEventListener("dropped", (m) => {
    const e = JSON.parse(m.data);
    page.since.dropped += e.dropped;
    streamItem("DROPPED", e.dropped + " events this page read too slowly", "", "", proxyNow());
    loadMetrics().catch(() => {});
    scheduleEntries(0);
  });
}

$("admin").textContent = location.origin;
$("search").addEventListener("input", () => {
  renderEntries();
  clearTimeout(page.timer); // the filter changed: list for it once the typing pauses
  page.timer = 0;
  scheduleEntries(250);
});
$("more").addEventListener("click", loadMore);
setInterval(tick, 250);
renderCounters();
follow();
`;
