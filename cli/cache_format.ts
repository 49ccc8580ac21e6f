/**
 * Owns how `cachelab cache ...` shows the admin API's answers to people:
 * the entries table (aligned columns: URL, status, size, age, freshness
 * left, state, hits), one entry's variants, the totals, and the units
 * (sizes in B/KiB/MiB/GiB, durations in s/m/h/d).
 *
 * Must not fetch nor decide anything: it formats the JSON shapes of
 * admin/entries.ts (`--json` prints those as they are).
 */

import type { EntrySummary } from "../admin/entries.ts";

/** `GET /api/entries`'s body. */
export interface EntriesListing {
  entries: EntrySummary[];
  more: boolean;
  total: Totals;
}

/**
 * The store's totals: entries (variants) and what they cost in bytes,
 * and, for a store with a backend of its own (Redis), what it reports
 * (used_memory, maxmemory, maxmemory_policy, evicted_keys, ...).
 */
export interface Totals {
  entries: number;
  bytes: number;
  store?: Record<string, string | number>;
}

/** `GET /api/entry`'s body: each variant with its stored fields. */
export interface EntryDetail {
  url: string;
  variants: (EntrySummary & { stored: { headers?: [string, string][] } })[];
}

const HEADINGS = [
  "URL",
  "STATUS",
  "SIZE",
  "AGE",
  "FRESH LEFT",
  "STATE",
  "HITS",
];
/** Columns aligned right (numbers); the others align left. */
const RIGHT = new Set([1, 2, 3, 4, 6]);

/** The entries as a table with a heading line; `source` ends the totals line. */
export function entriesTable(listing: EntriesListing, source: string): string {
  const { entries, total } = listing;
  const rows = entries.map((e) => [
    urlCell(e),
    String(e.status),
    formatSize(e.bodySize),
    formatDuration(e.ageSeconds),
    formatDuration(e.freshSeconds),
    e.state,
    String(e.hits),
  ]);
  const lines = rows.length === 0 ? [] : aligned([HEADINGS, ...rows], RIGHT);
  const shown = listing.more
    ? `${entries.length} shown (more match: raise --limit)`
    : `${entries.length} shown`;
  lines.push(
    `${shown}; ${total.entries} ${total.entries === 1 ? "entry" : "entries"}, ${
      formatSize(total.bytes)
    } in the cache (${source})`,
  );
  return lines.join("\n") + "\n";
}

/** Every variant of one URL, a block of "name  value" lines each. */
export function entryText(detail: EntryDetail): string {
  const lines = [detail.url];
  detail.variants.forEach((v, i) => {
    lines.push(
      "",
      `variant ${i + 1} of ${detail.variants.length}`,
      ...aligned([
        ["  vary", varyText(v.vary) || "-"],
        ["  via", v.via ?? "-"],
        ["  status", String(v.status)],
        ["  size", `${formatSize(v.bodySize)} (${v.bodySize} bytes)`],
        ["  stored at", v.storedAt],
        ["  age", formatDuration(v.ageSeconds)],
        ["  fresh left", formatDuration(v.freshSeconds)],
        ["  state", v.state],
        ["  hits", String(v.hits)],
      ]),
      "  fields",
      ...(v.stored.headers ?? []).map(([name, value]) =>
        `    ${name}: ${value}`
      ),
    );
  });
  return lines.join("\n") + "\n";
}

/** The totals, one "name  value" line each. */
export function statsText(total: Totals, source: string): string {
  const reported = Object.entries(total.store ?? {}).map((
    [name, value],
  ): [string, string] => [name, String(value)]);
  return aligned([
    ["entries", String(total.entries)],
    ["bytes", `${formatSize(total.bytes)} (${total.bytes})`],
    ...reported,
    ["source", source],
  ]).join("\n") + "\n";
}

/** Bytes for people: "512 B", "1.5 KiB", "12 MiB" (one decimal under 10). */
export function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ];
  for (const [name, size] of units) {
    if (bytes >= size) {
      const value = bytes / size;
      const text = value < 10
        ? String(Math.round(value * 10) / 10)
        : String(Math.round(value));
      return `${text} ${name}`;
    }
  }
  return `${bytes} B`;
}

/** Whole seconds for people: "45s", "12m05s", "3h20m", "2d04h"; negative with "-". */
export function formatDuration(seconds: number): string {
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  }
  return `${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

/** The URL, then its variant's request values and the server it came from, when any. */
function urlCell(e: EntrySummary): string {
  const vary = varyText(e.vary);
  return e.url + (vary ? ` [${vary}]` : "") + (e.via ? ` via ${e.via}` : "");
}

function varyText(vary: Record<string, string | null>): string {
  return Object.entries(vary)
    .map(([name, value]) => `${name}=${value ?? "(absent)"}`)
    .join(", ");
}

/** Rows padded to aligned columns, two spaces apart, no trailing spaces. */
function aligned(
  rows: string[][],
  right: ReadonlySet<number> = new Set(),
): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => widths[i] = Math.max(widths[i] ?? 0, cell.length));
  }
  return rows.map((row) =>
    row.map((cell, i) => {
      const last = i === row.length - 1;
      if (right.has(i)) return cell.padStart(widths[i]!);
      return last ? cell : cell.padEnd(widths[i]!);
    }).join("  ").trimEnd()
  );
}
