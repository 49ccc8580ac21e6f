/**
 * Owns the seam between the proxy and its upstreams: the small interface
 * the relaying path and the caching flow send requests through (a request
 * head and body in, a response head and body out), the implementation of
 * it over the connection pool, and building such a request from a
 * client's (its body, Expect: 100-continue, interim responses relayed).
 * Component tests implement the interface with a scripted upstream.
 *
 * Must not rewrite fields (messages.ts: it only applies its
 * ownFieldsRemoved() to each response as it comes in) nor decide about
 * caching.
 */

import { checkRequestSize } from "../../http/client.ts";
import { UPSTREAM_HEAD_LIMITS } from "../../http/head.ts";
import { stripHopByHop } from "../../http/headers.ts";
import type {
  IncomingRequest,
  RequestHead,
  ResponseHead,
} from "../../http/types.ts";
import type { UpstreamAddress } from "../config.ts";
import { ownFieldsRemoved } from "../messages.ts";
import type { Stats } from "../stats.ts";
import {
  exchange,
  type UpstreamRequest,
  type UpstreamResponse,
} from "./exchange.ts";
import type { UpstreamPool } from "./pool.ts";

export type { UpstreamRequest, UpstreamResponse } from "./exchange.ts";

/**
 * Where requests go upstream. `exchange` resolves with the response head
 * and a body that must be read to its end or cancelled; it rejects with
 * an UpstreamError (upstream/errors.ts) when no response could be
 * obtained, or with the HttpError of a broken client body.
 */
export interface Upstream {
  exchange(request: UpstreamRequest): Promise<UpstreamResponse>;
}

/** How the pool's exchanges are bounded and counted. */
export interface PoolUpstreamOptions {
  /** Time allowed for the final response head (ms), interim responses included. */
  responseTimeoutMs: number;
  /** Time allowed between two reads of the response body (ms). */
  idleTimeoutMs: number;
  /** Counts `upstream.requests` and the exchange's retries. */
  stats: Stats;
}

/**
 * The Upstream over a connection pool. A request head too large for the
 * upstream is refused here with 431 (an HttpError), never sent.
 */
export function poolUpstream(
  pool: UpstreamPool,
  options: PoolUpstreamOptions,
): Upstream {
  const { stats } = options;
  return {
    exchange: async (request) => {
      checkRequestSize(request.head, UPSTREAM_HEAD_LIMITS); // 431 here, not from the upstream
      stats.count("upstream.requests");
      const response = await exchange(pool, {
        ...request,
        responseTimeoutMs: options.responseTimeoutMs,
        idleTimeoutMs: options.idleTimeoutMs,
        count: (name) => stats.count(name),
      });
      ownFieldsRemoved(response.head.headers); // ours: never relayed nor stored
      return response;
    },
  };
}

/**
 * The upstream request for a client's request: `head` as built by
 * messages.ts upstreamRequest() (the cache adds its own validators to
 * it), the client's body when it has one, and the client's
 * Expect: 100-continue and interim responses passed through.
 */
export function requestFor(
  req: IncomingRequest,
  to: UpstreamAddress & { head: RequestHead },
): UpstreamRequest {
  const fields = req.head.headers;
  const hasBody = fields.has("content-length") ||
    fields.has("transfer-encoding");
  return {
    host: to.host,
    port: to.port,
    head: to.head,
    body: hasBody ? req.body : null,
    expectContinue: req.head.version === "HTTP/1.1" &&
      fields.get("expect")?.toLowerCase() === "100-continue",
    onInterim: async (interim: ResponseHead) => {
      const relayed = interim.headers.clone();
      stripHopByHop(relayed);
      ownFieldsRemoved(relayed);
      await req.sendInterim(interim.status, relayed);
    },
  };
}
