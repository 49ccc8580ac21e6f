/**
 * Owns the checks both stores make on what their caller gives them:
 * metadata that must survive the schema round trip, and size options.
 * Strict: these are caller bugs or bad configuration, reported at once.
 *
 * Must not touch files nor the index.
 */

import { type EntryMeta, parseMeta } from "./meta.ts";
import type { EntryDraft } from "./store.ts";

/**
 * Rejects metadata that would not survive a round trip through the schema
 * (a caller bug, reported at once rather than as a miss after a restart).
 */
export function checkDraft(draft: EntryDraft | EntryMeta): void {
  const probe = { ...draft, bodySize: 0, bodyFile: "probe.body" };
  if (!parseMeta(JSON.parse(JSON.stringify(probe)))) {
    throw new TypeError(
      `Cannot store entry: metadata for ${draft.key} does not fit schema v${draft.version}`,
    );
  }
}

/** Validates a byte size option (strict with configuration). */
export function checkSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(
      `Cannot open store: ${name} must be a non-negative integer, got ${value}`,
    );
  }
  return value;
}
