/**
 * Owns starting a proxy for tests: in-process on 127.0.0.1 port 0 with
 * short timeouts, logging into an array, in front of a given upstream.
 *
 * Must not hide assertions: tests read `stats` and `logs` themselves.
 */

import type { ProxyConfig } from "../../proxy/config.ts";
import type { CacheState } from "../../proxy/caching/state.ts";
import { type ProxyServer, startProxy } from "../../proxy/mod.ts";

/** A proxy for one test, with its access-log lines. */
export interface TestProxy extends ProxyServer {
  readonly port: number;
  readonly logs: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a proxy in front of 127.0.0.1:upstreamPort; with `cache`, that
 * cache instead of none.
 */
export async function startTestProxy(
  upstreamPort: number,
  overrides: Partial<ProxyConfig> = {},
  cache?: CacheState,
): Promise<TestProxy> {
  const logs: string[] = [];
  const proxy = await startProxy({
    host: "127.0.0.1",
    port: 0,
    upstream: { host: "127.0.0.1", port: upstreamPort },
    forward: true,
    connectPorts: [443, upstreamPort],
    connectTimeoutMs: 2000,
    responseTimeoutMs: 3000,
    headTimeoutMs: 2000,
    idleTimeoutMs: 3000,
    maxConnections: 64,
    maxUpstreamConnections: 256,
    log: (line) => logs.push(line),
    ...overrides,
  }, cache);
  return Object.assign(proxy, {
    port: proxy.addr.port,
    logs,
    [Symbol.asyncDispose]: () => proxy.shutdown(1000),
  });
}
