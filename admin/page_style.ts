/**
 * Owns the live page's stylesheet (admin/page.ts inlines it): neutral
 * greys that follow the system's light or dark scheme, monospace and
 * tabular numbers, one colour per entry state and per cache result.
 *
 * Must not load anything (no fonts, no images: the page is self-contained)
 * nor hold behaviour.
 */

/** The CSS of GET / on the admin listener. */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --line: #e3e6ea; --text: #1d2127;
  --muted: #6a7280; --faint: #9aa1ab; --hover: #f0f2f5; --accent: #2f6fde;
  --fresh: #1f8a4c; --stale: #b7791f; --nocache: #2f6fde; --partial: #8250df;
  --miss: #6a7280; --error: #c93c37;
  --mono: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171a; --panel: #1c1f23; --line: #2c3036; --text: #e4e7eb;
    --muted: #9aa1ab; --faint: #6a7280; --hover: #23272c; --accent: #6ea1ff;
    --fresh: #4cc281; --stale: #e3a948; --nocache: #6ea1ff; --partial: #b48cf2;
    --miss: #9aa1ab; --error: #f0706b;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 13px/1.45 var(--sans); }
header {
  display: flex; align-items: center; gap: 16px; padding: 10px 20px;
  background: var(--panel); border-bottom: 1px solid var(--line);
}
header h1 { font-size: 15px; margin: 0; font-weight: 650; letter-spacing: .2px; }
header h1 span { color: var(--muted); font-weight: 400; }
#live { display: flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; }
#live::before {
  content: ""; width: 8px; height: 8px; border-radius: 50%; background: var(--stale);
}
#live[data-live="true"]::before { background: var(--fresh); box-shadow: 0 0 0 3px color-mix(in srgb, var(--fresh) 25%, transparent); }
#clock { display: flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; }
#clock b { font: 600 12px var(--mono); color: var(--text); font-variant-numeric: tabular-nums; }
#clock-offset { font: 12px var(--mono); }
#clock-moves { display: inline-flex; gap: 4px; }
#clock-moves[hidden] { display: none; }
#clock-moves button {
  font: 12px var(--sans); padding: 2px 8px; border-radius: 5px; cursor: pointer;
  color: var(--accent); background: transparent; border: 1px solid var(--line);
}
#clock-moves button:hover { background: var(--hover); }
#clock-error { color: var(--error); font-size: 11px; }
#admin { margin-left: auto; font: 12px var(--mono); color: var(--faint); }
main { padding: 16px 20px 24px; display: grid; gap: 16px; }
.counters {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(118px, 1fr)); gap: 10px;
}
.counter {
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 12px; border-top: 3px solid var(--line);
}
.counter b {
  display: block; font: 600 20px/1.3 var(--mono); font-variant-numeric: tabular-nums;
}
.counter small { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .5px; }
.counter.hit { border-top-color: var(--fresh); }
.counter.miss { border-top-color: var(--miss); }
.counter.revalidated { border-top-color: var(--nocache); }
.counter.stale { border-top-color: var(--stale); }
.counter.ratio { border-top-color: var(--accent); }
.panels { display: grid; gap: 16px; grid-template-columns: minmax(0, 1fr); }
@media (min-width: 1200px) { .panels { grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); } }
section {
  background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  min-width: 0; display: flex; flex-direction: column;
}
section > h2 {
  display: flex; align-items: center; gap: 10px; margin: 0; padding: 10px 14px;
  font-size: 13px; font-weight: 600; border-bottom: 1px solid var(--line);
}
section > h2 .note { color: var(--muted); font-weight: 400; font: 12px var(--mono); }
#search {
  margin-left: auto; min-width: 0; width: min(320px, 50%); padding: 5px 9px; font: 12px var(--mono);
  color: var(--text); background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
}
#search:focus { outline: 2px solid color-mix(in srgb, var(--accent) 45%, transparent); border-color: var(--accent); }
.scroll { overflow: auto; max-height: calc(100vh - 210px); min-height: 120px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th {
  overflow: hidden; text-overflow: ellipsis;
  position: sticky; top: 0; background: var(--panel); z-index: 1; text-align: left;
  font-weight: 500; font-size: 11px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .5px; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap;
}
td {
  padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis;
}
tr.entry:hover td { background: var(--hover); }
td.num, th.num { text-align: right; font-family: var(--mono); font-variant-numeric: tabular-nums; }
td.url { font-family: var(--mono); cursor: pointer; }
td.url .vary { color: var(--muted); margin-left: 8px; }
td.url .origin { color: var(--faint); }
#url-head span { text-transform: none; letter-spacing: 0; font-family: var(--mono); color: var(--faint); margin-left: 6px; }
.badge {
  display: inline-block; min-width: 62px; text-align: center; padding: 1px 7px; border-radius: 10px;
  font: 600 11px/1.6 var(--mono); color: var(--c, var(--muted));
  background: color-mix(in srgb, var(--c, var(--muted)) 14%, transparent);
  border: 1px solid color-mix(in srgb, var(--c, var(--muted)) 35%, transparent);
}
[data-state="fresh"] { --c: var(--fresh); }
[data-state="stale"] { --c: var(--stale); }
[data-state="no-cache"] { --c: var(--nocache); }
[data-state="partial"] { --c: var(--partial); }
.life { display: flex; align-items: center; gap: 8px; justify-content: flex-end; }
.life .left { overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.bar { flex: none; width: 40px; height: 6px; border-radius: 3px; background: var(--line); overflow: hidden; }
.bar i { display: block; height: 100%; background: var(--c, var(--muted)); }
button.purge {
  font: 12px var(--sans); padding: 2px 9px; border-radius: 5px; cursor: pointer;
  color: var(--error); background: transparent; border: 1px solid color-mix(in srgb, var(--error) 40%, transparent);
}
td.purge { text-align: right; white-space: normal; }
.purge-error { display: block; color: var(--error); font-size: 11px; line-height: 1.2; }
.purge-error:empty { display: none; }
#more {
  font: 12px var(--sans); padding: 4px 9px; border-radius: 6px; cursor: pointer; flex: none;
  color: var(--accent); background: transparent; border: 1px solid var(--line);
}
button.purge:hover { background: color-mix(in srgb, var(--error) 12%, transparent); }
tr.detail td { white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.5 var(--mono); color: var(--muted); background: var(--bg); }
.empty { padding: 28px; text-align: center; color: var(--faint); }
#stream { list-style: none; margin: 0; padding: 0; }
#stream li { padding: 6px 14px; border-bottom: 1px solid var(--line); }
#stream li.fresh-in { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: color-mix(in srgb, var(--accent) 14%, transparent); } }
#stream .line { display: flex; gap: 10px; align-items: baseline; white-space: nowrap; }
#stream .time { color: var(--faint); font: 12px var(--mono); font-variant-numeric: tabular-nums; }
#stream .what { font-family: var(--mono); overflow: hidden; text-overflow: ellipsis; flex: 1; min-width: 0; }
#stream .ms { color: var(--muted); font: 12px var(--mono); font-variant-numeric: tabular-nums; }
#stream .why { margin: 2px 0 0 0; color: var(--muted); font-size: 12px; line-height: 1.4; }
#stream .badge { min-width: 92px; }
[data-result="HIT"] { --c: var(--fresh); }
[data-result="HIT-ABORTED"], [data-result="NONE"] { --c: var(--error); }
[data-result="MISS"], [data-result="MISS-NOT-STORED"], [data-result="BYPASS"] { --c: var(--miss); }
[data-result="REVALIDATED"], [data-result="PARTIAL"] { --c: var(--nocache); }
[data-result="STALE"] { --c: var(--stale); }
[data-result="STORE"] { --c: var(--fresh); }
[data-result="CLOCK"] { --c: var(--accent); }
[data-result="EVICTION"], [data-result="PURGE"], [data-result="DROPPED"] { --c: var(--error); }
.status-err { color: var(--error); }
footer { color: var(--faint); font-size: 11px; padding: 0 20px 16px; }
`;
