/**
 * Owns launching a proxy with its admin listener: the cache folder's
 * lock (cache/folder_lock.ts) first, then the proxy (with the event hub
 * of /api/events in its config), then the admin
 * listener (guarded on the proxy port, its address recorded in the lock
 * for whoever finds the folder taken), and stopping them in the reverse
 * order.
 *
 * Must not parse flags nor print (cli/ and main.ts do).
 */

import { clockRoutes } from "./clock.ts";
import { entriesRoutes } from "./entries.ts";
import { eventsHandler } from "./events.ts";
import { metricsHandler } from "./metrics.ts";
import { pageHandler } from "./page.ts";
import type { AdminRoutes } from "./route.ts";
import { type AdminServer, startAdmin } from "./server.ts";
import { explainEntry } from "../cache/explain.ts";
import { type FolderLock, lockFolder } from "../cache/folder_lock.ts";
import type { ProxyConfig } from "../proxy/config.ts";
import { EventHub } from "../proxy/events.ts";
import type { CacheOpener } from "../proxy/caching/state.ts";
import { type ProxyServer, startProxy } from "../proxy/mod.ts";

/** Where the admin listener binds. */
export interface AdminAddress {
  host: string;
  /** 0 picks a free one. */
  port: number;
  /**
   * The flags a taken port's error names, as the command that binds it
   * has them; default "--admin-port, --no-admin" (cachelab proxy).
   */
  flags?: string;
}

/** A proxy and its admin listener, running. */
export interface LaunchedProxy {
  /** The proxy port's address. */
  readonly addr: Deno.NetAddr;
  /** Stdout lines after the first: `admin on http://HOST:PORT`, unless there is no admin listener. */
  readonly more: readonly string[];
  /** Stops the admin listener, then the proxy, then releases the folder. */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * The routes of the admin listener of a running proxy started with
 * `events` as its config's hub: the live page (`/`), `/metrics`,
 * `/api/events`, `/api/clock` (the proxy's clock; moved only when it is a
 * movable one) and, with a cache, the entry endpoints (ages and freshness
 * at the proxy's clock; each variant of `/api/entry` explained by
 * cache/explain.ts explainEntry; a purge emitted on `events`).
 */
export function adminRoutesOf(
  proxy: ProxyServer,
  events: EventHub,
): AdminRoutes {
  const store = proxy.cache?.store;
  return {
    "GET /": pageHandler(),
    "GET /metrics": metricsHandler({
      stats: proxy.stats,
      times: proxy.times,
      store,
      events,
      health: proxy.cache?.health,
    }),
    "GET /api/events": eventsHandler(events),
    ...clockRoutes({ clock: proxy.clock, events }),
    ...(store
      ? entriesRoutes({
        store,
        now: () => proxy.clock.now(),
        explain: explainEntry,
        events,
        peers: proxy.cache?.peers,
      })
      : {}),
  };
}

/**
 * Locks the cache folder (a file store's), opens the cache (with `open`
 * when given, else the file store), starts the proxy and, unless `admin`
 * is undefined, its admin listener. Throws (having released what it took)
 * when the folder is locked by another process (FolderLockedError) or a
 * listener cannot be bound.
 */
export async function startProxyWithAdmin(
  config: ProxyConfig,
  admin: AdminAddress | undefined,
  open?: CacheOpener,
): Promise<LaunchedProxy> {
  const store = config.cache?.store;
  const lock = store?.kind === "file" // a Redis store is shared: no lock
    ? await lockFolder(store.dir, { pid: Deno.pid, admin: null })
    : undefined;
  const guarded: Deno.NetAddr[] = [];
  let proxy: ProxyServer | undefined;
  let adminServer: AdminServer | undefined;
  // The hub only where someone can subscribe: its admin listener.
  const events = admin ? new EventHub(config.clock) : undefined;
  try {
    const cache = config.cache && open ? await open(config.cache) : undefined;
    proxy = await startProxy({ ...config, guarded, events }, cache);
    if (admin && events) {
      adminServer = bindAdmin(admin, adminRoutesOf(proxy, events));
      guarded.push(adminServer.addr);
      await lock?.record({ pid: Deno.pid, admin: adminServer.url });
    }
  } catch (error) {
    await adminServer?.close();
    await proxy?.shutdown(0);
    await lock?.release();
    throw error;
  }
  return running(proxy, { server: adminServer, events }, lock);
}

function running(
  proxy: ProxyServer,
  admin: { server?: AdminServer; events?: EventHub },
  lock: FolderLock | undefined,
): LaunchedProxy {
  return {
    addr: proxy.addr,
    more: admin.server ? [`admin on ${admin.server.url}`] : [],
    async shutdown(graceMs?: number) {
      try {
        admin.events?.close(); // its streams end, so the listener can stop
        await admin.server?.close();
        await proxy.shutdown(graceMs);
      } finally {
        await lock?.release();
      }
    },
  };
}

/** Binds the admin listener; a failure names it, not the proxy's address. */
function bindAdmin(address: AdminAddress, routes: AdminRoutes): AdminServer {
  try {
    return startAdmin({ ...address, routes });
  } catch (error) {
    const host = address.host.includes(":")
      ? `[${address.host}]`
      : address.host;
    const where = `${host}:${address.port}`;
    const reason = error instanceof Deno.errors.AddrInUse
      ? `${where} is already in use (see ${
        address.flags ?? "--admin-port, --no-admin"
      })`
      : error instanceof Deno.errors.AddrNotAvailable
      ? `${where} is not an address of this machine`
      : error instanceof Error
      ? error.message
      : String(error);
    throw new Error(`admin listener: ${reason}`);
  }
}
