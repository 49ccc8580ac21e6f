/**
 * Component tests of the explanation a request's event carries
 * (proxy/caching/explaining.ts, the response's `note`): made while the
 * event hub has a subscriber, in the one-line summary with "§", and not
 * made at all while nobody subscribes and the request did not ask.
 */

import assert from "../../helpers/assert.ts";
import { EventHub, type ExplainedNote } from "../../../proxy/events.ts";
import type { OutgoingResponse } from "../../../http/types.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

/** The summary a response's note carries for its event ("" without one). */
function summaryOf(res: OutgoingResponse): string {
  return (res.note as ExplainedNote | undefined)?.summary ?? "";
}

const FRESH: Scripted = {
  status: 200,
  headers: [["Cache-Control", "max-age=60"]],
  body: "hello",
};

Deno.test("serveWithCache() notes the summary of a miss stored and of a hit when the event hub has a subscriber", async () => {
  const events = new EventHub();
  const stop = events.subscribe(() => {});
  await using h = flowHarness(() => FRESH, { events });
  const miss = await h.send("/r");
  assert.equal(await bodyText(miss), "hello");
  assert.match(summaryOf(miss), /^miss: .*stored.*\(RFC 9111 §/);
  assert.equal(miss.headers.get("cachelab-explain"), undefined); // not asked
  const hit = await h.send("/r");
  await bodyText(hit);
  assert.match(
    summaryOf(hit),
    /^fresh: age \d+ s = .*lifetime 60 s from max-age/,
  );
  const { explanation } = hit.note as ExplainedNote; // the whole of it, too
  assert.equal(explanation.verdict.kind, "fresh");
  assert.deepEqual(explanation.response?.lifetime, {
    seconds: 60,
    source: "max-age",
  });
  assert.equal(typeof explanation.response?.age.residentTime, "number");
  stop();
});

Deno.test("serveWithCache() notes nothing when the event hub has no subscriber and the request does not ask", async () => {
  const events = new EventHub();
  await using h = flowHarness(() => FRESH, { events });
  const miss = await h.send("/r");
  await bodyText(miss);
  assert.equal(miss.note, undefined);
  const stop = events.subscribe(() => {});
  const hit = await h.send("/r");
  await bodyText(hit);
  assert.match(summaryOf(hit), /^fresh: /); // the same flow, once someone listens
  stop();
  const unheard = await h.send("/r");
  await bodyText(unheard);
  assert.equal(unheard.note, undefined);
});

Deno.test("serveWithCache() notes a pass with its reason and still writes the ASCII field when the request asks too", async () => {
  const events = new EventHub();
  const stop = events.subscribe(() => {});
  await using h = flowHarness(() => FRESH, { events });
  const res = await h.send("/r", {
    method: "POST",
    headers: [["Cachelab-Explain", "1"]],
  });
  await bodyText(res);
  assert.match(summaryOf(res), /^pass: /);
  assert.match(summaryOf(res), /§/);
  const field = res.headers.get("cachelab-explain") ?? "";
  assert.match(field, /^pass: /);
  const paren = (text: string) => text.slice(0, text.lastIndexOf(" ("));
  assert.equal(paren(field), paren(summaryOf(res))); // one summary, two spellings
  assert.match(field, /\(RFC 9111 sections 4, 4\.4\)$/);
  assert.match(summaryOf(res), /\(RFC 9111 §4, §4\.4\)$/);
  stop();
});
