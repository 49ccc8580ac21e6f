/**
 * Owns the bench's printed results: the markdown table (rows: proxies;
 * columns: figures) and one ratio line per figure and peer, cachelab's
 * value divided by the peer's with its spread over the rounds, and the
 * direction that is better.
 *
 * Must not run or measure anything; pure formatting.
 */

import type { Figure } from "./figures.ts";
import { formatSpread, roundRatios, spreadOf } from "./spread.ts";

/** The proxy the ratios are about. */
export const SUBJECT = "cachelab";

/** A figure's value for a proxy, or undefined when it was not measured. */
export type ValueOf = (figure: Figure, proxy: string) => number | undefined;

/** A number with `digits` decimals, or "n/a". */
export function formatValue(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return "n/a";
  return value.toFixed(digits);
}

/** A markdown table with aligned columns; numbers are right-aligned. */
export function formatTable(
  proxies: readonly string[],
  figures: readonly Figure[],
  valueOf: ValueOf,
): string {
  const header = ["proxy", ...figures.map((f) => f.heading)];
  const rows = proxies.map((proxy) => [
    proxy,
    ...figures.map((f) => formatValue(valueOf(f, proxy), f.digits)),
  ]);
  const widths = header.map((cell, column) =>
    Math.max(3, cell.length, ...rows.map((row) => row[column]!.length))
  );
  const line = (cells: readonly string[]) =>
    `| ${
      cells.map((cell, column) =>
        column === 0
          ? cell.padEnd(widths[column]!)
          : cell.padStart(widths[column]!)
      ).join(" | ")
    } |`;
  const rule = `|${
    widths.map((width, column) =>
      column === 0 ? `-${"-".repeat(width)}-` : `-${"-".repeat(width)}:`
    ).join("|")
  }|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** cachelab's value over the peer's; undefined when either is missing or the peer's is 0. */
export function ratio(
  subject: number | undefined,
  peer: number | undefined,
): number | undefined {
  if (subject === undefined || peer === undefined) return undefined;
  if (!Number.isFinite(subject) || !Number.isFinite(peer)) return undefined;
  if (peer === 0) return undefined;
  return subject / peer;
}

/** A figure's value for a proxy in each round (keys 1-based). */
export type RoundsOf = (
  figure: Figure,
  proxy: string,
) => ReadonlyMap<number, number>;

/** Where the ratio lines read their numbers. */
export interface RatioSources {
  /** The figure's aggregate (median, or peak) for a proxy. */
  valueOf: ValueOf;
  /** The figure's per-round values for a proxy (for median figures). */
  roundsOf: RoundsOf;
}

/** The ratio with its spread: per-round ratios for medians, one ratio of peaks. */
function ratioText(
  figure: Figure,
  peer: string,
  sources: RatioSources,
): string {
  if (figure.aggregate === "max") {
    const value = ratio(
      sources.valueOf(figure, SUBJECT),
      sources.valueOf(figure, peer),
    );
    return value === undefined
      ? "n/a"
      : `${formatValue(value, 2)} (peak of the run)`;
  }
  const perRound = roundRatios(
    sources.roundsOf(figure, SUBJECT),
    sources.roundsOf(figure, peer),
  );
  return formatSpread(spreadOf(perRound));
}

/**
 * One line per figure and peer: `ratio hit-1KiB-rps cachelab/nginx-1w
 * 1.21 (1.04–1.40), higher is better`: cachelab's value over the peer's
 * in each round, their median and min–max over the rounds. For a peak
 * (memory) one ratio of the two peaks. For latency and memory the ratio
 * is still cachelab's over the peer's, so below 1 is better there.
 */
export function ratioLines(
  proxies: readonly string[],
  figures: readonly Figure[],
  sources: RatioSources,
): string[] {
  if (!proxies.includes(SUBJECT)) return [];
  const peers = proxies.filter((p) => p !== SUBJECT);
  const lines: string[] = [];
  for (const figure of figures) {
    for (const peer of peers) {
      lines.push(
        `ratio ${figure.id} ${SUBJECT}/${peer} ${
          ratioText(figure, peer, sources)
        }, ${figure.better} is better`,
      );
    }
  }
  return lines;
}

/** A duration as minutes and seconds: "10m17s". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const rest = String(seconds % 60).padStart(2, "0");
  return `${Math.floor(seconds / 60)}m${rest}s`;
}
