/**
 * Owns starting an http/ server on 127.0.0.1 port 0 for wire tests, with
 * its counters, access-log lines and internal errors collected so tests
 * can assert them, and a shutdown that always runs (`await using`).
 *
 * Must not hide failures: internal errors are kept for the test to check.
 */

import { FieldList } from "../../http/headers.ts";
import {
  type Handler,
  type HttpServer,
  serveHttp,
  type ServerOptions,
} from "../../http/server.ts";
import type { OutgoingResponse } from "../../http/types.ts";
import { EventCounter } from "./deadline.ts";

/** A server under test and what it reported. */
export interface TestServer extends AsyncDisposable {
  server: HttpServer;
  addr: Deno.NetAddr;
  /** The server's `count` events. */
  events: EventCounter;
  /** Access-log lines. */
  logs: string[];
  /** Internal errors reported through `onError`. */
  errors: unknown[];
  /** The fetch URL of `path` on this server. */
  url(path?: string): string;
}

/** Starts `handler` on a fresh listener; dispose shuts it down. */
export function startTestServer(
  handler: Handler,
  options: Omit<ServerOptions, "count" | "log" | "onError"> & {
    graceMs?: number;
  } = {},
): TestServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const events = new EventCounter();
  const logs: string[] = [];
  const errors: unknown[] = [];
  const server = serveHttp(listener, handler, {
    ...options,
    count: events.add,
    log: (line) => logs.push(line),
    onError: (e) => errors.push(e),
  });
  const addr = server.addr;
  return {
    server,
    addr,
    events,
    logs,
    errors,
    url: (path = "/") => `http://127.0.0.1:${addr.port}${path}`,
    [Symbol.asyncDispose]: () => server.shutdown(options.graceMs ?? 1000),
  };
}

/** A plain-text response. */
export function textResponse(
  body: string,
  status = 200,
  fields: [string, string][] = [],
): OutgoingResponse {
  return {
    status,
    headers: new FieldList([["Content-Type", "text/plain"], ...fields]),
    body: new TextEncoder().encode(body),
  };
}

/** A handler answering 200 with "METHOD TARGET" as the body. */
export const echoTarget: Handler = (req) =>
  Promise.resolve(textResponse(`${req.head.method} ${req.head.target}`));
