/**
 * Owns the `Cachelab-Explain` exchange on the proxy port: a request
 * carrying `Cachelab-Explain: 1` (asksExplanation) gets a
 * `Cachelab-Explain` response field with the one-line summary of what the
 * cache did (cache/explain.ts). While such a request is served, an
 * ExplainLog on its flow hears decide()'s decision and the upstream
 * exchange with afterResponse()'s outcome; nothing is recorded, made or
 * looked up for a request that did not ask. The request field never goes
 * upstream (messages.ts upstreamRequest removes it) and the response
 * field is added to the client's response only, never to what is stored.
 * While the proxy's event hub has a subscriber, every request gets an
 * ExplainLog too, and its summary and whole explanation go to the
 * request's event (the response's `note`, an ExplainedNote, handed to the
 * hub with the access-log entry); with
 * no subscriber and no request field, nothing is made.
 *
 * Must not decide (cache/policy.ts) nor explain (cache/explain.ts).
 */

import {
  explain,
  type Explanation,
  type Happened,
  summaryLine,
} from "../../cache/explain.ts";
import type {
  Decision,
  Exchange,
  PassReason,
  ResponseOutcome,
  StoreOptions,
} from "../../cache/policy.ts";
import type { FieldList } from "../../http/headers.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import type { ExplainedNote } from "../events.ts";

/** The request and response field's name. */
export const EXPLAIN_FIELD = "Cachelab-Explain";

/** True when the request asks for an explanation (`Cachelab-Explain: 1`). */
export function asksExplanation(fields: FieldList): boolean {
  return fields.first("cachelab-explain")?.trim() === "1";
}

/** What the caching flow did with one request that asked, as it did it. */
export class ExplainLog {
  #happened: Happened | undefined;
  #now = 0;
  readonly #options: StoreOptions;

  /** `options`: how the request's responses are judged for storing (its route's targets). */
  constructor(options: StoreOptions) {
    this.#options = options;
  }

  /** decide()'s decision at `now` (ms), or a pass; a later round starts over. */
  decided(decision: Decision | { kind: "pass"; why: PassReason }, now: number) {
    this.#happened = { decision, options: this.#options };
    this.#now = now;
  }

  /** The upstream exchange and afterResponse()'s outcome (none: relayed as it came). */
  answered(exchange: Exchange, outcome?: ResponseOutcome): void {
    if (this.#happened === undefined) return;
    this.#happened.upstream = { exchange, outcome };
  }

  /** The explanation (cache/explain.ts), or undefined before any decision. */
  explanation(): Explanation | undefined {
    const happened = this.#happened;
    if (happened === undefined) return undefined;
    return explain(happened, this.#now);
  }
}

/** Who hears a request's explanation. */
export interface Audience {
  /** The client asked (`Cachelab-Explain: 1`): the response field. */
  field: boolean;
  /** Event subscribers: the response's note (proxy/events.ts). */
  note: boolean;
}

/**
 * Adds the summary to a response: as the `Cachelab-Explain` field for a
 * request that asked, as its `note` for the events.
 */
export function explained(
  res: OutgoingResponse,
  log: ExplainLog,
  audience: Audience,
): OutgoingResponse {
  const explanation = log.explanation();
  if (explanation === undefined) return res;
  if (audience.field) {
    // RFC 9110 §5.5: a new field's value is US-ASCII.
    res.headers.set(EXPLAIN_FIELD, summaryLine(explanation, { ascii: true }));
  }
  if (audience.note) {
    const note: ExplainedNote = {
      summary: summaryLine(explanation, { ascii: false }),
      explanation,
    };
    res.note = note;
  }
  return res;
}
