/**
 * Owns the shapes of what the proxy's request path works with: the
 * per-proxy context (configuration, upstream, counters, own address,
 * cache) and the per-request context of a request served through the
 * cache. Every module that needs them imports this one, so no two modules
 * of proxy/ need to import each other.
 *
 * Must not hold behaviour.
 */

import type { StoreOptions } from "../cache/policy.ts";
import type { Clock } from "../http/clock.ts";
import type { IncomingRequest, RequestHead } from "../http/types.ts";
import type { ExplainLog } from "./caching/explaining.ts";
import type { CacheState } from "./caching/state.ts";
import type { ProxyConfig } from "./config.ts";
import type { Stats } from "./stats.ts";
import type { Route } from "./target.ts";
import type { Upstream } from "./upstream/mod.ts";

/** What the handler works with, one per running proxy. */
export interface ProxyContext {
  config: ProxyConfig;
  /** Where requests go upstream (the pool; a scripted one in component tests). */
  upstream: Upstream;
  stats: Stats;
  /** The proxy's own listening address, to refuse requests that loop back to it. */
  self: Deno.NetAddr;
  /** This proxy instance's name in Via (messages.ts newViaName()). */
  viaName: string;
  /** The cache; absent with --no-cache. */
  cache?: CacheState;
  /**
   * The clock the cache reasons with (config.clock, else real time): every
   * IncomingRequest.receivedAt past handler.ts is on it.
   */
  clock: Clock;
}

/** A route that goes through an upstream exchange. */
export type HttpRoute = Extract<Route, { kind: "reverse" | "forward" }>;

/** A request routed to an upstream, with the proxy it came through. */
export interface Routed {
  ctx: ProxyContext;
  req: IncomingRequest;
  route: HttpRoute;
}

/** One request being served through the cache, with what serving it needs. */
export interface CacheFlow extends Routed {
  cache: CacheState;
  /** Its primary cache key (RFC 9111 §2): the target URI it is forwarded with. */
  key: string;
  /**
   * The request as it goes upstream (RFC 9110 §7.6), before the cache
   * adds validators of its own: its fields select Vary variants.
   */
  upstream: RequestHead;
  /**
   * How its responses are judged for storing: the cache's rules with its
   * route's target list (RFC 9213 §2.1, §3; caching/state.ts
   * storeOptionsFor).
   */
  options: StoreOptions;
  /**
   * Present only when the request asked for an explanation
   * (`Cachelab-Explain: 1`, caching/explaining.ts): it hears the
   * decision and the upstream outcome.
   */
  explain?: ExplainLog;
}
