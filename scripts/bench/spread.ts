/**
 * Owns the spread of a ratio over rounds: cachelab's value over a peer's
 * computed per round (the same round's two values), then the median, the
 * minimum and the maximum of those per-round ratios, and their text,
 * "1.21 (1.04–1.40)".
 *
 * Must not run, measure or decide what is measured; pure code only.
 */

import { median } from "./stats.ts";

/** The ratios of the rounds folded into a median and a range. */
export interface RatioSpread {
  median: number;
  min: number;
  max: number;
  /** How many rounds had both values. */
  rounds: number;
}

/**
 * `subject / peer` for every round (1-based keys) in which both were
 * measured, in round order. A round is left out when either value is
 * missing or not finite, or when the peer's is 0.
 */
export function roundRatios(
  subject: ReadonlyMap<number, number>,
  peer: ReadonlyMap<number, number>,
): number[] {
  const rounds = [...subject.keys()].sort((a, b) => a - b);
  const ratios: number[] = [];
  for (const round of rounds) {
    const mine = subject.get(round);
    const theirs = peer.get(round);
    if (mine === undefined || theirs === undefined) continue;
    if (!Number.isFinite(mine) || !Number.isFinite(theirs)) continue;
    if (theirs === 0) continue;
    ratios.push(mine / theirs);
  }
  return ratios;
}

/** The median, minimum and maximum of `ratios`; undefined when there is none. */
export function spreadOf(ratios: readonly number[]): RatioSpread | undefined {
  const middle = median(ratios);
  if (middle === undefined) return undefined;
  return {
    median: middle,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    rounds: ratios.length,
  };
}

/**
 * "1.21 (1.04–1.40)": the median, then min–max over the rounds, with
 * `digits` decimals; "1.21 (one round)" when only one round had both
 * values; "n/a" when none had.
 */
export function formatSpread(
  spread: RatioSpread | undefined,
  digits = 2,
): string {
  if (spread === undefined) return "n/a";
  const median = spread.median.toFixed(digits);
  if (spread.rounds === 1) return `${median} (one round)`;
  return `${median} (${spread.min.toFixed(digits)}–${
    spread.max.toFixed(digits)
  })`;
}
