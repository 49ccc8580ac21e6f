/**
 * Owns reading a peer's `Keep-Alive` field (RFC 2068 §19.7.1.1, kept
 * informally by RFC 9112 Appendix C.2.2): how long the peer keeps an idle
 * connection open (`timeout`, seconds) and how many requests it takes on
 * one connection (`max`). Tolerant: unknown or malformed parameters are
 * ignored; when several values are given, the most cautious one wins.
 *
 * Must not act on the hint: the connection pool decides what it means.
 */

import type { FieldList } from "./headers.ts";

/** What a Keep-Alive field says; a member is absent when nothing valid says it. */
export interface KeepAliveHint {
  /** Seconds the peer keeps an idle connection open (`timeout=N`). */
  timeoutSeconds?: number;
  /** Requests the peer takes on one connection (`max=M`). */
  max?: number;
}

const PARAM = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(?:"([0-9]+)"|([0-9]+))$/;

/**
 * The hint in every Keep-Alive field of `fields` (an empty object when
 * there is none): `timeout=5, max=100` gives { timeoutSeconds: 5,
 * max: 100 }. Values are non-negative integers (quoted or not); repeated
 * parameters keep the smallest value.
 */
export function parseKeepAlive(fields: FieldList): KeepAliveHint {
  const hint: KeepAliveHint = {};
  for (const element of fields.list("keep-alive")) {
    const match = PARAM.exec(element);
    if (!match) continue;
    const value = Number(match[2] ?? match[3]);
    if (!Number.isSafeInteger(value)) continue;
    const name = match[1]!.toLowerCase();
    if (name === "timeout") {
      hint.timeoutSeconds = Math.min(hint.timeoutSeconds ?? value, value);
    } else if (name === "max") {
      hint.max = Math.min(hint.max ?? value, value);
    }
  }
  return hint;
}
