/**
 * Owns the fixtures of the in-process component tests of the cache flow
 * (the third test level of STYLE.md): a scripted Upstream (the proxy's
 * upstream seam, proxy/upstream/mod.ts) that answers each request with a
 * function of it and records what it was sent, bodies scripted chunk by
 * chunk (gated by the test, throwing part-way, of unknown length), and a
 * proxy handler wired to it with a MemoryStore (or a store the test
 * gives, e.g. a FileStore made to fail): requests go in as
 * objects, responses come out as objects, no socket anywhere.
 *
 * Must not assert: tests do, on the upstream's record and the counters.
 */

import { MemoryStore } from "../../cache/memory_store.ts";
import type { Store } from "../../cache/store.ts";
import { type Clock, realClock } from "../../http/clock.ts";
import { FieldList } from "../../http/headers.ts";
import type {
  BodyReader,
  IncomingRequest,
  OutgoingResponse,
} from "../../http/types.ts";
import { closeCache } from "../../proxy/caching/state.ts";
import {
  type CacheOptions,
  type CacheState,
  cacheStateFor,
} from "../../proxy/caching/state.ts";
import type { ProxyConfig } from "../../proxy/config.ts";
import type { EventHub } from "../../proxy/events.ts";
import { proxyHandler } from "../../proxy/handler.ts";
import { newViaName } from "../../proxy/messages.ts";
import { Stats } from "../../proxy/stats.ts";
import {
  UpstreamError,
  type UpstreamFailure,
} from "../../proxy/upstream/errors.ts";
import type {
  Upstream,
  UpstreamRequest,
  UpstreamResponse,
} from "../../proxy/upstream/mod.ts";

/** One scripted answer: a response, or a failure before any response. */
export type Scripted =
  | {
    status: number;
    reason?: string;
    headers?: [string, string][];
    /** The body: bytes, or a script of chunks (see ScriptedBody). */
    body?: string | Uint8Array | ScriptedBody;
    /** Bytes arrived right behind the response (UpstreamResponse.trailingBytes). */
    trailingBytes?: boolean;
  }
  | { fail: UpstreamFailure };

/** Answers one upstream request; `index` counts every request from 0. */
export type Script = (
  request: UpstreamRequest,
  index: number,
) => Scripted | Promise<Scripted>;

/** A body made of chunks a generator yields: it may wait, or throw part-way. */
export class ScriptedBody implements BodyReader {
  readonly length: number | undefined;
  #chunks: AsyncIterator<Uint8Array>;
  /** Set once the reader cancelled the body. */
  cancelled = false;

  /** `length` is the announced Content-Length (undefined: chunked). */
  constructor(chunks: AsyncIterable<Uint8Array>, length?: number) {
    this.#chunks = chunks[Symbol.asyncIterator]();
    this.length = length;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.cancelled) return null;
    const next = await this.#chunks.next();
    return next.done ? null : next.value;
  }

  trailers(): undefined {
    return undefined;
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.#chunks.return?.();
  }
}

/** An Upstream that answers from a script and records every request. */
export class ScriptedUpstream implements Upstream {
  readonly requests: UpstreamRequest[] = [];
  #script: Script;
  /** The undo callbacks registered on each response (onOutOfStep), by request index. */
  #undo: (() => void)[][] = [];

  constructor(script: Script) {
    this.#script = script;
  }

  async exchange(request: UpstreamRequest): Promise<UpstreamResponse> {
    const index = this.requests.length;
    this.requests.push(request);
    const undo: (() => void)[] = [];
    this.#undo[index] = undo;
    const answer = await this.#script(request, index);
    if ("fail" in answer) {
      throw new UpstreamError(answer.fail, `scripted ${answer.fail}`);
    }
    const headers = new FieldList(answer.headers ?? []);
    const body = bodyOf(answer.body, request.head.method, answer.status);
    if (body.length !== undefined && !headers.has("content-length")) {
      headers.append("Content-Length", String(body.length));
    }
    return {
      head: {
        version: "HTTP/1.1",
        status: answer.status,
        reason: answer.reason ?? "",
        headers,
      },
      body,
      reused: false,
      trailingBytes: answer.trailingBytes ?? false,
      onOutOfStep: (callback) => undo.push(callback),
    };
  }

  /**
   * Plays an upstream found out of step after the response to request
   * `index`: calls what was registered on it (onOutOfStep), once.
   */
  outOfStep(index: number): void {
    const undo = this.#undo[index] ?? [];
    this.#undo[index] = [];
    for (const callback of undo) callback();
  }
}

function bodyOf(
  body: string | Uint8Array | ScriptedBody | undefined,
  method: string,
  status: number,
): BodyReader {
  if (body instanceof ScriptedBody) return body;
  const bytes = typeof body === "string"
    ? new TextEncoder().encode(body)
    : body ?? new Uint8Array(0);
  const bodiless = method === "HEAD" || status === 304 || status === 204;
  return new ScriptedBody(
    (async function* () {
      if (!bodiless && bytes.length > 0) yield bytes;
    })(),
    bodiless ? 0 : bytes.length,
  );
}

/** The cache flow in-process: the proxy handler, its upstream, store and counters. */
export interface FlowHarness extends AsyncDisposable {
  upstream: ScriptedUpstream;
  cache: CacheState;
  stats: Stats;
  viaName: string;
  /**
   * Sends one request through the proxy handler; `receivedAt` is the time
   * its head was read (the proxy's one clock reading per request; default
   * now).
   */
  send(
    path: string,
    options?: {
      method?: string;
      headers?: [string, string][];
      receivedAt?: number;
    },
  ): Promise<OutgoingResponse>;
}

/**
/**
 * Wires the proxy handler to a ScriptedUpstream and a MemoryStore (or
 * `store`, closed with the harness); the cache options not given take the
 * CLI's defaults (cacheStateFor).
 */
export function flowHarness(
  script: Script,
  options: Partial<CacheOptions> & {
    sizeBytes?: number;
    store?: Store;
    /** The config's event hub (proxy/events.ts). */
    events?: EventHub;
    /** The proxy's clock (http/clock.ts); the real one by default. */
    clock?: Clock;
  } = {},
): FlowHarness {
  const upstream = new ScriptedUpstream(script);
  const { sizeBytes, store: given, events, clock, ...cacheOptions } = options;
  const store = given ?? new MemoryStore({ sizeBytes: sizeBytes ?? 1 << 28 });
  const cache = cacheStateFor(store, {
    maxObjectBytes: 1 << 26,
    skipBinary: false,
    ...cacheOptions,
  });
  const stats = new Stats();
  const viaName = newViaName();
  const config = {
    host: "127.0.0.1",
    port: 0,
    upstream: { host: "origin.test", port: 80 },
    forward: true,
    connectPorts: [443],
    connectTimeoutMs: 2000,
    responseTimeoutMs: 3000,
    headTimeoutMs: 2000,
    idleTimeoutMs: 3000,
    maxConnections: 64,
    maxUpstreamConnections: 64,
    events,
  } satisfies ProxyConfig;
  const self = { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 };
  const handler = proxyHandler({
    config,
    upstream,
    stats,
    self,
    viaName,
    cache,
    clock: clock ?? realClock,
  });
  return {
    upstream,
    cache,
    stats,
    viaName,
    send: async (path, request = {}) =>
      await handler(
        incoming(path, request.method ?? "GET", request.headers, {
          receivedAt: request.receivedAt ?? Date.now(),
        }),
      ),
    [Symbol.asyncDispose]: () => closeCache(cache),
  };
}

function incoming(
  path: string,
  method: string,
  extra: [string, string][] = [],
  at: { receivedAt: number },
): IncomingRequest {
  return {
    head: {
      method,
      target: path,
      version: "HTTP/1.1",
      headers: new FieldList([["Host", "origin.test"], ...extra]),
    },
    body: {
      length: 0,
      read: () => Promise.resolve(null),
      trailers: () => undefined,
      cancel: () => Promise.resolve(),
    },
    remoteAddr: "127.0.0.1",
    receivedAt: at.receivedAt,
    sendInterim: () => Promise.resolve(),
  };
}

/** Reads a response body whole (bytes); a body that throws rejects. */
export async function bodyBytes(res: OutgoingResponse): Promise<Uint8Array> {
  const body = res.body;
  if (!body) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const parts: Uint8Array[] = [];
  for (let c = await body.read(); c !== null; c = await body.read()) {
    parts.push(c.slice()); // chunks may be views of a reused buffer
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A response body as text. */
export async function bodyText(res: OutgoingResponse): Promise<string> {
  return new TextDecoder().decode(await bodyBytes(res));
}
