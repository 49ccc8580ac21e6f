/**
 * Owns the fixtures of the cache component tests: a proxy with an
 * in-memory store in front of a counting scripted upstream that answers
 * each request with a function of it, and a bounded wait on a condition
 * (counters are the oracle; the wait only bounds how long we look).
 *
 * Must not assert: tests do.
 */

import { MemoryStore } from "../../cache/memory_store.ts";
import type { ProxyConfig } from "../../proxy/config.ts";
import { cacheStateFor } from "../../proxy/caching/state.ts";
import { startTestProxy, type TestProxy } from "./proxy.ts";
import { ScriptedServer } from "./raw_peer.ts";
import type { WireMessage } from "./wire_text.ts";

/** Answers one upstream request (the index counts every request). */
export type Responder = (
  request: WireMessage,
  index: number,
) => string | Promise<string>;

/** A keep-alive upstream that answers every request with `respond`. */
export function countingUpstream(respond: Responder): ScriptedServer {
  let index = 0;
  return ScriptedServer.start(async (peer) => {
    for (;;) {
      const request = await peer.readRequest();
      if (!request) return;
      await peer.write(await respond(request, index++));
    }
  });
}

/** Starts a caching proxy with a MemoryStore in front of 127.0.0.1:upstreamPort. */
export function startCacheProxy(
  upstreamPort: number,
  options:
    & { skipBinary?: boolean; maxObjectBytes?: number; sizeBytes?: number }
    & Partial<ProxyConfig> = {},
): Promise<TestProxy> {
  const { skipBinary, maxObjectBytes, sizeBytes, ...config } = options;
  const store = new MemoryStore({ sizeBytes: sizeBytes ?? 64 * 1024 * 1024 });
  const cache = cacheStateFor(store, {
    maxObjectBytes: maxObjectBytes ?? 16 * 1024 * 1024,
    skipBinary: skipBinary ?? false,
  });
  return startTestProxy(upstreamPort, config, cache);
}

/** Waits until `condition()` holds, looking every few ms, failing after `ms`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  ms = 5000,
): Promise<void> {
  const stop = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > stop) {
      throw new Error(`Cannot see ${what} within ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
