/**
 * Owns reading Store.variants() whatever the store: the file and memory
 * stores answer at once (an array: the hot path gains no await), a store
 * over the network (Redis) answers later (a promise). Callers branch with
 * isPending() in async code, or pass a function to withVariants() where
 * they answered synchronously before.
 *
 * Must not hold decisions: it only hands the variants on.
 */

import type { EntryMeta } from "./meta.ts";

/** The stored variants of one primary key. */
export type VariantList = readonly EntryMeta[];

/** What Store.variants() returns: the variants, or a promise of them. */
export type Variants = VariantList | Promise<VariantList>;

/** True when the store answers later: await it; else use it as it is. */
export function isPending(
  variants: Variants,
): variants is Promise<VariantList> {
  return variants instanceof Promise;
}

/**
 * `use` applied to the variants: at once (synchronously) when the store
 * answered at once, else once they came (a rejection passes through).
 */
export function withVariants<T>(
  variants: Variants,
  use: (list: VariantList) => T,
): T | Promise<T> {
  return isPending(variants) ? variants.then(use) : use(variants);
}
