/**
 * Owns the live page's clock (admin/page.ts inlines it after
 * page_script.ts, in the same script): the proxy's clock as
 * `/api/clock` gives it (this page's clock plus the proxy's offset, so
 * ages and freshness count on the proxy's time: proxyNow()), shown in
 * the header with its offset; when the clock can move (`cachelab lab`),
 * buttons +10 s, +1 min and +1 h that POST `/api/clock` and re-read the
 * entries. A `clock` event (someone else moved it) does the same.
 *
 * Must not compute anything about the cache, and must not move the clock
 * but by POST /api/clock.
 */

/** The third part of the page's script (no backquotes inside: it sits in a template). */
export const PAGE_CLOCK_SCRIPT = String.raw`
// The proxy's clock.
page.clock = { offsetMs: 0, movable: false };
/** The proxy's time now (ms): this page's clock plus the proxy's offset. */
function proxyNow() { return Date.now() + page.clock.offsetMs; }
function offsetText(ms) { return ms === 0 ? "real time" : "+" + duration(ms / 1000); }
function renderClock() {
  $("clock-time").textContent = clock(proxyNow()).slice(0, 8);
  $("clock-offset").textContent = offsetText(page.clock.offsetMs);
  $("clock-moves").hidden = !page.clock.movable;
}
function setClock(view) {
  page.clock = { offsetMs: view.offsetSeconds * 1000, movable: view.movable };
  renderClock();
}
async function loadClock() {
  const res = await fetch("/api/clock", { cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  setClock(body);
}
async function advanceClock(seconds, button) {
  button.disabled = true;
  $("clock-error").textContent = "";
  try {
    const res = await fetch("/api/clock", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ advance: seconds }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || res.status + " " + res.statusText);
    setClock(body);
    tick();
    scheduleEntries(0);
  } catch (error) {
    $("clock-error").textContent = String(error.message || error);
  } finally {
    button.disabled = false;
  }
}
for (const button of document.querySelectorAll("#clock-moves button")) {
  button.addEventListener("click", () => advanceClock(Number(button.dataset.advance), button));
}
setInterval(renderClock, 250);
`;
