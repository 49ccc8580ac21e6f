/**
 * Owns the order of the bench's runs: round by round, figure by figure,
 * with the contenders turning one place each round, so no contender runs
 * all its rounds in a row or always first after a pause.
 *
 * Must not run anything; pure code only.
 */

/** `list` turned left by `by` places. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** One wrk run of the schedule. */
export interface Slot<R, C> {
  /** 1-based. */
  round: number;
  run: R;
  contender: C;
}

/** Every (round, run, contender) in the order the bench goes. */
export function schedule<R, C>(
  runs: readonly R[],
  contenders: readonly C[],
  rounds: number,
): Slot<R, C>[] {
  const slots: Slot<R, C>[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const run of runs) {
      for (const contender of rotate(contenders, round - 1)) {
        slots.push({ round, run, contender });
      }
    }
  }
  return slots;
}
