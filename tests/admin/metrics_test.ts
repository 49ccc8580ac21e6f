import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { metricsHandler } from "../../admin/metrics.ts";
import type { StoreStats } from "../../cache/store.ts";
import { RequestTimes, resultIndex } from "../../proxy/durations.ts";
import { EventHub } from "../../proxy/events.ts";
import { Stats } from "../../proxy/stats.ts";
import {
  countingUpstream,
  startCacheProxy,
  waitUntil,
} from "../helpers/cache_proxy.ts";
import { exchange } from "../helpers/raw_peer.ts";

const URL_METRICS = new URL("http://127.0.0.1/metrics");

/** The sample lines of an exposition (no comments), by "name{labels}". */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function scrape(
  handler: ReturnType<typeof metricsHandler>,
): Promise<{ text: string; type: string | null }> {
  const res = await handler(new Request(URL_METRICS), URL_METRICS);
  assertEquals(res.status, 200);
  return { text: await res.text(), type: res.headers.get("content-type") };
}

Deno.test("metricsHandler() reads the proxy's counters, request times and store figures at each scrape", async () => {
  const stats = new Stats();
  const times = new RequestTimes();
  const storeStats: StoreStats = {
    entries: 3,
    bytes: 4096,
    evictions: 2,
    corruptRemoved: 0,
    writeErrors: 1,
    memoryHits: 0,
  };
  const events = new EventHub();
  const handler = metricsHandler({
    stats,
    times,
    store: { stats: storeStats },
    events,
  });
  const before = samples((await scrape(handler)).text);
  assertEquals(before.get('cachelab_requests_total{result="HIT"}'), 0);
  assertEquals(before.get("cachelab_upstream_requests_total"), 0);
  assertEquals(before.get("cachelab_cache_entries"), 3);

  stats.count("upstream.requests", 5);
  stats.count("upstream.connects", 2);
  stats.count("upstream.reuses", 3);
  stats.count("upstream.retries");
  stats.count("errors.connect-failed", 2);
  stats.count("errors.response-timeout");
  stats.count("cache.not_stored.no-store", 4);
  stats.count("cache.store_too_large");
  stats.count("cache.stored", 7); // not a reason for not storing
  times.observe(resultIndex("- HIT"), 0);
  times.observe(resultIndex("- HIT"), 3);
  times.observe(resultIndex("5ms MISS"), 40);
  events.countDropped(6);
  events.countRefused();
  storeStats.entries = 4;

  const { text, type } = await scrape(handler);
  assertEquals(type, "text/plain; version=0.0.4; charset=utf-8");
  const after = samples(text);
  const expected: [string, number][] = [
    ['cachelab_requests_total{result="HIT"}', 2],
    ['cachelab_requests_total{result="MISS"}', 1],
    ['cachelab_requests_total{result="NONE"}', 0],
    ['cachelab_request_duration_seconds_bucket{result="HIT",le="0.001"}', 1],
    ['cachelab_request_duration_seconds_bucket{result="HIT",le="0.005"}', 2],
    ['cachelab_request_duration_seconds_bucket{result="MISS",le="0.025"}', 0],
    ['cachelab_request_duration_seconds_bucket{result="MISS",le="0.05"}', 1],
    ['cachelab_request_duration_seconds_bucket{result="MISS",le="+Inf"}', 1],
    ['cachelab_request_duration_seconds_sum{result="HIT"}', 0.003],
    ['cachelab_request_duration_seconds_count{result="HIT"}', 2],
    ["cachelab_upstream_requests_total", 5],
    ['cachelab_upstream_errors_total{kind="connect-failed"}', 2],
    ['cachelab_upstream_errors_total{kind="response-timeout"}', 1],
    ["cachelab_upstream_connects_total", 2],
    ["cachelab_upstream_reuses_total", 3],
    ["cachelab_upstream_retries_total", 1],
    ['cachelab_responses_not_stored_total{reason="no-store"}', 4],
    ['cachelab_responses_not_stored_total{reason="fill-too-large"}', 1],
    ["cachelab_cache_entries", 4],
    ["cachelab_cache_bytes", 4096],
    ["cachelab_cache_evictions_total", 2],
    ["cachelab_cache_write_errors_total", 1],
    ["cachelab_event_subscribers", 0],
    ["cachelab_events_dropped_total", 6],
    ["cachelab_event_subscribers_refused_total", 1],
  ];
  for (const [name, value] of expected) {
    assertEquals(after.get(name), value, name);
  }
  const reasons = [...after.keys()].filter((k) =>
    k.startsWith("cachelab_responses_not_stored_total")
  );
  assertEquals(reasons.length, 2);
  assertStringIncludes(
    text,
    "# TYPE cachelab_request_duration_seconds histogram",
  );
  assertStringIncludes(text, "# TYPE cachelab_requests_total counter");
  assertStringIncludes(text, "# TYPE cachelab_cache_entries gauge");
  for (const name of after.keys()) {
    assertEquals(name.startsWith("cachelab_"), true, name);
  }
});

Deno.test("metricsHandler() leaves out the cache and event metrics when the proxy has neither", async () => {
  const handler = metricsHandler({
    stats: new Stats(),
    times: new RequestTimes(),
  });
  const names = [...samples((await scrape(handler)).text).keys()];
  assertEquals(names.some((n) => n.startsWith("cachelab_cache_")), false);
  assertEquals(names.some((n) => n.startsWith("cachelab_event")), false);
  assertEquals(names.includes("cachelab_upstream_requests_total"), true);
});

Deno.test("metricsHandler() served on Deno.serve counts a proxy's miss, hit and not-stored response", async () => {
  await using upstream = countingUpstream((request) =>
    request.head.startLine.startsWith("GET /private ")
      ? "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 1\r\n\r\np"
      : "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok"
  );
  await using proxy = await startCacheProxy(upstream.port);
  const handler = metricsHandler({
    stats: proxy.stats,
    times: proxy.times,
    store: proxy.cache!.store,
  });
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => handler(request, new URL(request.url)),
  );
  for (const [i, target] of ["/a", "/a", "/private"].entries()) {
    await exchange(
      proxy.addr,
      `GET ${target} HTTP/1.1\r\nHost: h\r\n\r\n`,
      { responses: 1 },
    );
    await waitUntil(() => proxy.logs.length === i + 1, `log line ${i + 1}`);
  }
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/metrics`);
  const got = samples(await res.text());
  assertEquals(got.get('cachelab_requests_total{result="HIT"}'), 1);
  assertEquals(got.get('cachelab_requests_total{result="MISS"}'), 2);
  assertEquals(
    got.get('cachelab_request_duration_seconds_count{result="MISS"}'),
    2,
  );
  assertEquals(got.get("cachelab_upstream_requests_total"), 2);
  assertEquals(got.get("cachelab_upstream_connects_total"), 1);
  assertEquals(got.get("cachelab_upstream_reuses_total"), 1);
  assertEquals(
    got.get('cachelab_responses_not_stored_total{reason="no-store"}'),
    1,
  );
  assertEquals(got.get("cachelab_cache_entries"), 1);
  assertEquals(got.get("cachelab_cache_bytes"), 2);
});

Deno.test("metricsHandler() shows whether the shared store is up, its failed calls and the requests served without it", async () => {
  const stats = new Stats();
  const health = { up: true, failures: 0 };
  const handler = metricsHandler({
    stats,
    times: new RequestTimes(),
    health,
  });
  let seen = samples((await scrape(handler)).text);
  assertEquals(seen.get("cachelab_store_up"), 1);
  assertEquals(seen.get("cachelab_store_failed_calls_total"), 0);
  health.up = false;
  health.failures = 7;
  stats.count("cache.without_store", 3);
  seen = samples((await scrape(handler)).text);
  assertEquals(seen.get("cachelab_store_up"), 0);
  assertEquals(seen.get("cachelab_store_failed_calls_total"), 7);
  assertEquals(seen.get("cachelab_requests_without_store_total"), 3);
  const plain = samples(
    (await scrape(metricsHandler({
      stats,
      times: new RequestTimes(),
    }))).text,
  );
  assertEquals(plain.has("cachelab_store_up"), false, "no shared store");
});
