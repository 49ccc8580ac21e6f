/**
 * Owns `GET /metrics`: the proxy's counters, its request times and its
 * store's figures in the Prometheus text exposition format, every name
 * prefixed `cachelab_`. Everything is read at scrape time from what the
 * proxy keeps anyway (proxy/stats.ts, proxy/durations.ts, the store's
 * stats, the event hub), so serving requests costs nothing more.
 *
 * Must not count anything itself nor touch the store's entries.
 */

import type { StoreStats } from "../cache/store.ts";
import type { StoreHealth } from "../proxy/caching/state.ts";
import { DURATION_BOUNDS_MS, type RequestTimes } from "../proxy/durations.ts";
import type { EventHub } from "../proxy/events.ts";
import type { Stats } from "../proxy/stats.ts";
import { METRICS_CONTENT_TYPE, MetricsRegistry, type Sample } from "./prom.ts";
import type { AdminHandler } from "./route.ts";

/** Where the metrics come from: a running proxy's parts (proxy/mod.ts ProxyServer). */
export interface MetricsSource {
  stats: Stats;
  times: RequestTimes;
  /** The cache's store; absent with --no-cache (no cache_* metrics then). */
  store?: { readonly stats: Readonly<StoreStats> };
  /** The event hub of /api/events, when there is one. */
  events?: EventHub;
  /** A shared store's backend (Redis), when the store has one. */
  health?: StoreHealth;
}

/** The GET /metrics handler: 200 text/plain; version=0.0.4. */
export function metricsHandler(source: MetricsSource): AdminHandler {
  const registry = metricsRegistry(source);
  return async () =>
    new Response(await registry.text(), {
      headers: {
        "content-type": METRICS_CONTENT_TYPE,
        "cache-control": "no-store",
      },
    });
}

/** The registry of every cachelab_ metric, read from `source` at each scrape. */
export function metricsRegistry(source: MetricsSource): MetricsRegistry {
  const { stats, times, store, events, health } = source;
  const registry = new MetricsRegistry();
  const one = (name: string) => () => [{ value: stats.get(name) }];
  registry.counter({
    name: "cachelab_requests_total",
    help:
      "Requests answered, by cache result (NONE: refused, tunnelled or failed before the cache).",
    labelNames: ["result"],
    read: () =>
      times.read().map((t) => ({
        labels: { result: t.result },
        value: t.cumulative[t.cumulative.length - 1] ?? 0,
      })),
  });
  registry.histogram({
    name: "cachelab_request_duration_seconds",
    help: "From a request head read to its response written, by cache result.",
    labelNames: ["result"],
    bounds: DURATION_BOUNDS_MS.map((ms) => ms / 1000),
    read: () =>
      times.read().map((t) => ({
        labels: { result: t.result },
        cumulative: t.cumulative,
        sum: t.sumMs / 1000,
      })),
  });
  registry.counter({
    name: "cachelab_upstream_requests_total",
    help: "Requests sent upstream.",
    read: one("upstream.requests"),
  });
  registry.counter({
    name: "cachelab_upstream_errors_total",
    help:
      "Upstream exchanges that failed (answered 502 or 504), by kind of failure.",
    labelNames: ["kind"],
    read: () => byPrefix(stats, "errors.", "kind"),
  });
  registry.counter({
    name: "cachelab_upstream_connects_total",
    help: "New connections opened upstream.",
    read: one("upstream.connects"),
  });
  registry.counter({
    name: "cachelab_upstream_reuses_total",
    help: "Requests sent on a pooled upstream connection.",
    read: one("upstream.reuses"),
  });
  registry.counter({
    name: "cachelab_upstream_retries_total",
    help:
      "Requests sent again after a pooled connection failed (RFC 9110 §9.2.2).",
    read: one("upstream.retries"),
  });
  registry.counter({
    name: "cachelab_responses_not_stored_total",
    help:
      "Responses not stored, by reason: the rule that stopped them (RFC 9111 §3), or what ended their fill.",
    labelNames: ["reason"],
    read: () => notStored(stats),
  });
  if (store) storeMetrics(registry, store);
  if (health) healthMetrics(registry, health, stats);
  if (events) eventMetrics(registry, events);
  return registry;
}

function storeMetrics(
  registry: MetricsRegistry,
  store: { readonly stats: Readonly<StoreStats> },
): void {
  registry.gauge({
    name: "cachelab_cache_entries",
    help: "Responses (variants) stored now.",
    read: () => [{ value: store.stats.entries }],
  });
  registry.gauge({
    name: "cachelab_cache_bytes",
    help: "What the stored responses cost against --cache-size now, in bytes.",
    read: () => [{ value: store.stats.bytes }],
  });
  registry.counter({
    name: "cachelab_cache_evictions_total",
    help: "Entries removed to stay under --cache-size.",
    read: () => [{ value: store.stats.evictions }],
  });
  registry.counter({
    name: "cachelab_cache_write_errors_total",
    help: "Cache writes that failed (the responses still went out).",
    read: () => [{ value: store.stats.writeErrors }],
  });
}

function healthMetrics(
  registry: MetricsRegistry,
  health: StoreHealth,
  stats: Stats,
): void {
  registry.gauge({
    name: "cachelab_store_up",
    help: "1 while the shared store (Redis) can be reached, else 0.",
    read: () => [{ value: health.up ? 1 : 0 }],
  });
  registry.counter({
    name: "cachelab_store_failed_calls_total",
    help:
      "Calls to the shared store that failed: it could not be reached, or not within --store-timeout.",
    read: () => [{ value: health.failures }],
  });
  registry.counter({
    name: "cachelab_requests_without_store_total",
    help:
      "Requests served as a plain proxy because the shared store could not be reached (detail=store-unavailable).",
    read: () => [{ value: stats.get("cache.without_store") }],
  });
}

function eventMetrics(registry: MetricsRegistry, events: EventHub): void {
  registry.gauge({
    name: "cachelab_event_subscribers",
    help: "Subscribers of /api/events now.",
    read: () => [{ value: events.subscribers }],
  });
  registry.counter({
    name: "cachelab_events_dropped_total",
    help: "Events dropped for subscribers too slow to take them.",
    read: () => [{ value: events.dropped }],
  });
  registry.counter({
    name: "cachelab_event_subscribers_refused_total",
    help: "Subscribers of /api/events refused (503): the cap was reached.",
    read: () => [{ value: events.refused }],
  });
}

/** One sample per counter named `prefix` + X, labelled `label`=X. */
function byPrefix(stats: Stats, prefix: string, label: string): Sample[] {
  const out: Sample[] = [];
  for (const [name, value] of Object.entries(stats.snapshot())) {
    if (!name.startsWith(prefix)) continue;
    out.push({ labels: { [label]: name.slice(prefix.length) }, value });
  }
  return out;
}

/**
 * Responses not stored: by the Cache-Status detail of the rule that
 * stopped them (`cache.not_stored.DETAIL`, e.g. "no-store"), and by what
 * ended a fill that began (`cache.store_OUTCOME`, e.g. "too-large").
 */
function notStored(stats: Stats): Sample[] {
  const out = byPrefix(stats, "cache.not_stored.", "reason");
  for (const s of byPrefix(stats, "cache.store_", "reason")) {
    const reason = s.labels!.reason!.replaceAll("_", "-");
    out.push({ labels: { reason: `fill-${reason}` }, value: s.value });
  }
  return out;
}
