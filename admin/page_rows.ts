/**
 * Owns what a row of the live page's entries table does when clicked
 * (admin/page.ts inlines it after page_script.ts, in the same script): its
 * Purge button sends DELETE /api/entries?url= and, on a network error or a
 * non-2xx answer, says so on the row and can be clicked again; a click on
 * its URL opens or closes its explanation from /api/entry (the RFC 9111
 * §4.2.3 age terms, the lifetime and its source, the stored fields).
 *
 * Must not build markup from the proxy's values (text only: el()), nor
 * throw out of a click handler.
 */

/** The row actions of the page's script (no backquotes inside: it sits in a template). */
export const PAGE_ROWS_SCRIPT = String.raw`
/** Purges one URL; on a network error or a non-2xx answer the row says so and the button works again. */
async function purgeUrl(url, button, failed) {
  button.disabled = true;
  failed.textContent = "";
  try {
    const res = await fetch("/api/entries?url=" + encodeURIComponent(url), { method: "DELETE" });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || res.status + " " + res.statusText);
    button.textContent = "Purged " + body.purged;
    scheduleEntries(0);
  } catch (error) {
    const reason = "Cannot purge " + url + ": " + String(error.message || error);
    failed.textContent = "purge failed";
    failed.title = reason;
    button.title = reason;
    button.textContent = "Retry";
    button.disabled = false;
  }
}
function toggleDetail(row) {
  const key = row.dataset.key;
  if (page.open.has(key)) { page.open.delete(key); row.nextElementSibling?.classList.contains("detail") && row.nextElementSibling.remove(); return; }
  page.open.add(key);
  showDetail(row);
}
async function showDetail(row) {
  const cell = el("td", { colspan: "9", text: "…" });
  row.after(el("tr", { className: "detail" }, cell));
  let res, body;
  try {
    res = await fetch("/api/entry?url=" + encodeURIComponent(row.entry.url), { cache: "no-store" });
    body = await res.json();
  } catch (error) {
    cell.textContent = "Cannot show " + row.entry.url + ": " + String(error.message || error);
    return;
  }
  if (!res.ok) { cell.textContent = body.error; return; }
  const variant = body.variants.find((v) => JSON.stringify(v.vary) === JSON.stringify(row.entry.vary)) || body.variants[0];
  const e = variant.explanation;
  const lines = [];
  if (e) {
    const a = e.age;
    lines.push("age " + a.currentAge + " s = corrected initial age " + a.correctedInitialAge + " + resident " + a.residentTime + "   (RFC 9111 §4.2.3: apparent age " + a.apparentAge + ", response delay " + a.responseDelay + ", corrected age value " + a.correctedAgeValue + ")");
    lines.push("lifetime " + e.lifetime.seconds + " s from " + e.lifetime.source + (e.lifetime.field ? " (" + e.lifetime.field + ")" : "") + "; " + (e.remaining > 0 ? e.remaining + " s left" : "stale by " + -e.remaining + " s") + "   (RFC 9111 §4.2)");
  }
  for (const [name, value] of variant.stored.headers) lines.push(name + ": " + value);
  cell.textContent = lines.join("\n");
}
`;
