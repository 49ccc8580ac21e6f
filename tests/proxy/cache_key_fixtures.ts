/**
 * Owns the fixtures of the cache-key wire tests: an upstream answer that
 * echoes the request line and Host it received, exact request bytes to
 * send, and the exact bytes the proxy is expected to forward.
 *
 * Must not assert: tests do.
 */

import { exchange } from "../helpers/raw_peer.ts";
import type { WireMessage, WireResponse } from "../helpers/wire_text.ts";

/** A fresh response whose body says which target and Host it answered. */
export function echo(request: WireMessage): string {
  const body = `${request.head.startLine} | ${request.head.header("host")}`;
  return `HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** Sends one request (exact bytes) and returns its response. */
export async function send(
  port: number,
  request: string,
): Promise<WireResponse> {
  const method = request.slice(0, request.indexOf(" "));
  const { responses } = await exchange({ port }, request, {
    responses: 1,
    methods: [method],
  });
  return responses[0]!;
}

/** A GET for `target` with Host `host` (or none) and extra field lines. */
export function get(target: string, host: string | null, extra = ""): string {
  const hostLine = host === null ? "" : `Host: ${host}\r\n`;
  const version = host === null ? "HTTP/1.0" : "HTTP/1.1";
  return `GET ${target} ${version}\r\n${hostLine}${extra}\r\n`;
}

/** What the proxy sends upstream for a plain GET from 127.0.0.1. */
export function forwarded(
  target: string,
  host: string,
  hop: { viaName: string; version?: string },
): string {
  const via = `${hop.version ?? "1.1"} ${hop.viaName}`;
  return `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nVia: ${via}\r\n` +
    `X-Forwarded-For: 127.0.0.1\r\n\r\n`;
}

/** Cache-Status of a hit. */
export const HIT = /^cachelab; hit; ttl=\d+$/;

/**
 * The key of a reverse-proxied URI whose Host names another server than
 * the upstream on 127.0.0.1:`port` (see primaryKey's `via`).
 */
export function viaUpstream(uri: string, port: number): string {
  return `${uri} via 127.0.0.1:${port}`;
}
