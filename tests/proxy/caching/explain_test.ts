/**
 * Component tests of `Cachelab-Explain` (proxy/caching/explaining.ts),
 * in-process: the proxy handler with a MemoryStore in front of a
 * scripted Upstream, the request's clock reading given by the test. The
 * field's exact value, what the upstream was sent and what the store
 * holds are the oracles.
 */

import assert from "../../helpers/assert.ts";
import { entryTimes } from "../../../cache/policy.ts";
import { META_VERSION } from "../../../cache/meta.ts";
import { formatHttpDate } from "../../../http/dates.ts";
import { FieldList } from "../../../http/headers.ts";
import {
  bodyText,
  flowHarness,
  type Scripted,
} from "../../helpers/scripted_upstream.ts";

const KEY = "http://origin.test/r";
const ASK: [string, string] = ["Cachelab-Explain", "1"];
/** A whole second near now, so the store sees the entry as live. */
const T0 = Math.floor(Date.now() / 1000) * 1000;

const FRESH: Scripted = {
  status: 200,
  headers: [["Cache-Control", "max-age=60"]],
  body: "hello",
};

Deno.test("serveWithCache() says the exact summary of a fresh hit under a fixed clock when the request asks (RFC 9111 §4.2, §4.2.3)", async () => {
  await using h = flowHarness(() => FRESH);
  const headers: [string, string][] = [
    ["Date", formatHttpDate(T0)],
    ["Cache-Control", "max-age=60"],
    ["Content-Length", "5"],
  ];
  const writer = h.cache.store.begin({
    version: META_VERSION,
    key: KEY,
    vary: [],
    status: 200,
    reason: "OK",
    headers,
    requestTime: T0,
    responseTime: T0,
    ...entryTimes(200, new FieldList(headers), T0, T0),
  });
  await writer.write(new TextEncoder().encode("hello"));
  assert.equal(await writer.commit(5), true);
  const res = await h.send("/r", { headers: [ASK], receivedAt: T0 + 12_000 });
  assert.equal(await bodyText(res), "hello");
  assert.equal(
    res.headers.get("cachelab-explain"),
    "fresh: age 12 s = corrected initial age 0 + resident 12; lifetime 60 s from max-age; 48 s left (RFC 9111 sections 4.2, 4.2.3)",
  );
  assert.equal(res.headers.get("age"), "12");
  assert.equal(h.upstream.requests.length, 0);
  const plain = await h.send("/r", { receivedAt: T0 + 12_000 });
  assert.equal(plain.headers.get("cachelab-explain"), undefined);
  assert.equal(plain.headers.get("age"), "12");
  assert.equal(h.stats.get("cache.hits"), 2);
});

Deno.test("serveWithCache() says a miss was stored, sends no Cachelab-Explain upstream, and stores none (RFC 9111 §3)", async () => {
  await using h = flowHarness(() => FRESH);
  const miss = await h.send("/r", { headers: [ASK] });
  assert.equal(await bodyText(miss), "hello");
  assert.match(
    miss.headers.get("cachelab-explain")!,
    /^miss: nothing stored for this URI: origin 200, stored; age \d+ s = corrected initial age \d+ \+ resident 0; lifetime 60 s from max-age; \d+ s left \(RFC 9111 sections 3, 4, 4\.2, 4\.2\.3\)$/,
  );
  assert.equal(h.upstream.requests.length, 1);
  assert.equal(
    h.upstream.requests[0]!.head.headers.has("cachelab-explain"),
    false,
  );
  const [entry] = await h.cache.store.variants(KEY);
  assert.ok(entry);
  assert.equal(
    entry.headers.some(([name]) => name.toLowerCase() === "cachelab-explain"),
    false,
  );
  const hit = await h.send("/r");
  assert.equal(await bodyText(hit), "hello");
  assert.equal(hit.headers.get("cachelab-explain"), undefined);
  assert.match(hit.headers.get("cache-status")!, /^cachelab; hit; ttl=\d+$/);
  assert.equal(h.upstream.requests.length, 1);
});

Deno.test("serveWithCache() says which rule kept a miss from being stored and what the origin could send (RFC 9111 §3, §5.2.2.5)", async () => {
  await using h = flowHarness(() => ({
    status: 200,
    headers: [["Cache-Control", "no-store"]],
    body: "secret",
  }));
  const res = await h.send("/r", { headers: [ASK] });
  assert.equal(await bodyText(res), "secret");
  assert.equal(
    res.headers.get("cachelab-explain"),
    "miss: nothing stored for this URI: origin 200, not stored: no-store in Cache-Control: remove it (RFC 9111 sections 3, 4, 5.2.2.5)",
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
});

Deno.test("serveWithCache() says why it revalidated and that the 304 freshened the stored response (RFC 9111 §4.3.1, §4.3.4, §5.2.2.4)", async () => {
  await using h = flowHarness((_request, i) =>
    i === 0
      ? {
        status: 200,
        headers: [["Cache-Control", "no-cache, max-age=60"], ["ETag", '"v1"']],
        body: "stored",
      }
      : { status: 304, headers: [["ETag", '"v1"']] }
  );
  await bodyText(await h.send("/r"));
  const res = await h.send("/r", { headers: [ASK] });
  assert.equal(await bodyText(res), "stored");
  assert.match(
    res.headers.get("cachelab-explain")!,
    /^must revalidate: the response says no-cache \(validate on every use\): origin 304, stored response freshened; age \d+ s = corrected initial age \d+ \+ resident 0; lifetime 0 s: no-cache; stale by \d+ s \(RFC 9111 sections 4\.2\.3, 4\.3\.1, 4\.3\.4, 5\.2\.2\.4\)$/,
  );
  assert.equal(
    h.upstream.requests[1]!.head.headers.get("if-none-match"),
    '"v1"',
  );
  assert.equal(
    h.upstream.requests[1]!.head.headers.has("cachelab-explain"),
    false,
  );
});

Deno.test("serveWithCache() says a POST passed through and invalidated what was stored (RFC 9111 §4, §4.4)", async () => {
  await using h = flowHarness(() => ({ status: 204 }));
  const res = await h.send("/r", { method: "POST", headers: [ASK] });
  assert.equal(
    res.headers.get("cachelab-explain"),
    "pass: the method goes to the origin; only GET responses are reused: origin 204, stored responses of the URI invalidated (RFC 9111 sections 4, 4.4)",
  );
  assert.equal(
    h.upstream.requests[0]!.head.headers.has("cachelab-explain"),
    false,
  );
});

Deno.test("serveWithCache() says a request with If-Match passed through and was relayed (RFC 9111 §4.3.2)", async () => {
  await using h = flowHarness(() => FRESH);
  const res = await h.send("/r", { headers: [ASK, ["If-Match", '"x"']] });
  assert.equal(
    res.headers.get("cachelab-explain"),
    "pass: If-Match or If-Unmodified-Since only the origin can evaluate: origin 200, relayed (RFC 9111 section 4.3.2)",
  );
  assert.equal((await h.cache.store.variants(KEY)).length, 0);
});

Deno.test("serveWithCache() adds no Cachelab-Explain when the request does not ask, or asks with another value", async () => {
  await using h = flowHarness(() => FRESH);
  const miss = await h.send("/r", { headers: [["Cachelab-Explain", "yes"]] });
  await bodyText(miss);
  const hit = await h.send("/r");
  assert.equal(miss.headers.get("cachelab-explain"), undefined);
  assert.equal(hit.headers.get("cachelab-explain"), undefined);
  assert.equal(
    h.upstream.requests[0]!.head.headers.has("cachelab-explain"),
    false,
  );
});
