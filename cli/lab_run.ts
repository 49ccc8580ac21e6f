/**
 * Owns starting what a LabPlan says, in one process: the throw-away
 * folders (a copy of the demo folder unless --root, a new cache folder
 * unless --cache-dir; lab_folders.ts), one movable clock
 * (http/clock.ts), the origin with its /lab/ routes on it, then the
 * proxy in front of the
 * origin with its admin listener on the same clock (admin/launch.ts);
 * stopping them, what depends on the other first, and removing the
 * folders. What it
 * returns is what cli/serve.ts runs until a signal.
 *
 * Must not parse flags (lab.ts does) nor print (cli/serve.ts prints the
 * lines it returns).
 */

import { fileURLToPath } from "node:url";
import { type LaunchedProxy, startProxyWithAdmin } from "../admin/launch.ts";
import { MovableClock } from "../http/clock.ts";
import { startOrigin } from "../origin/mod.ts";
import type { LabPlan } from "./lab.ts";
import { copyToTemp, removeFolder } from "./lab_folders.ts";
import { lessonsMenu } from "./lessons.ts";
import { ORIGIN_DEFAULTS } from "./origin.ts";
import { PROXY_DEFAULTS } from "./proxy.ts";
import { type RunningServer, urlOf } from "./serve.ts";

/** The demo folder of this repository (absent from a compiled binary: --root then). */
const DEMO = fileURLToPath(new URL("../demo", import.meta.url));

/** Where each server's access-log lines go; undefined: nowhere. */
export interface LabLogs {
  proxy?: (line: string) => void;
  origin?: (line: string) => void;
}

/**
 * Starts the lab. Throws (having stopped and removed what it made) when
 * a folder cannot be made or a listener cannot be bound, with a reason
 * that names the listener.
 */
export async function startLab(
  plan: LabPlan,
  logs: LabLogs,
): Promise<RunningServer> {
  const made: string[] = [];
  const notes: string[] = [];
  let origin: Awaited<ReturnType<typeof startOrigin>> | undefined;
  let proxy: LaunchedProxy | undefined;
  const clock = new MovableClock();
  try {
    const root = plan.root ?? await demoCopy(made);
    const cacheDir = plan.cache.dir ??
      await remember(made, Deno.makeTempDir({ prefix: "cachelab-lab-cache-" }));
    notes.push(
      `origin: serving ${root}${
        plan.root ? "" : " (a copy of the demo folder, removed at exit)"
      }`,
      `cache: ${cacheDir}${
        plan.cache.dir ? "" : " (a new temporary folder, removed at exit)"
      }`,
    );
    origin = await named(
      "origin",
      plan.originPort,
      "--origin-port",
      () =>
        startOrigin({
          host: plan.host,
          port: plan.originPort,
          root,
          cacheControl: ORIGIN_DEFAULTS.cacheControl,
          headTimeoutMs: ORIGIN_DEFAULTS.headTimeoutMs,
          idleTimeoutMs: ORIGIN_DEFAULTS.idleTimeoutMs,
          now: () => clock.now(), // every Date it sends, on the lab's clock
          lab: { script: plan.script },
          log: logs.origin,
        }),
    );
    const upstream = origin.addr;
    proxy = await named("proxy", plan.port, "PORT", () =>
      startProxyWithAdmin({
        host: plan.host,
        port: plan.port,
        upstream: { host: upstream.hostname, port: upstream.port },
        forward: true,
        connectPorts: [443, upstream.port],
        connectTimeoutMs: PROXY_DEFAULTS.connectTimeoutMs,
        responseTimeoutMs: PROXY_DEFAULTS.responseTimeoutMs,
        headTimeoutMs: PROXY_DEFAULTS.headTimeoutMs,
        idleTimeoutMs: PROXY_DEFAULTS.idleTimeoutMs,
        maxConnections: PROXY_DEFAULTS.maxConnections,
        maxUpstreamConnections: PROXY_DEFAULTS.maxUpstreamConnections,
        cache: {
          ...cacheRules(plan.cache),
          store: {
            kind: "file",
            dir: cacheDir,
            sizeBytes: plan.cache.sizeBytes,
          },
        },
        clock,
        log: logs.proxy,
      }, plan.admin));
  } catch (error) {
    await proxy?.shutdown(0);
    await origin?.shutdown(0);
    await removeAll(made);
    throw error;
  }
  const running = proxy;
  const originServer = origin;
  const adminLine = running.more[0] ?? "";
  const urls = {
    proxy: urlOf(running.addr),
    admin: adminLine.replace(/^admin on /, ""),
    origin: urlOf(originServer.addr),
  };
  return {
    addr: running.addr,
    more: [
      adminLine,
      `origin on ${urls.origin}`,
      ...lessonsMenu(urls).trimEnd().split("\n"),
    ],
    notes: plan.quiet ? [] : notes,
    async shutdown(graceMs?: number) {
      try {
        // The proxy's requests may wait on the origin's lab waits, which
        // only the origin's stop would end: end them first (the proxy
        // answers 502), let the proxy drain while the origin still serves
        // everything else, then stop the origin.
        originServer.endWaits();
        await running.shutdown(graceMs);
        await originServer.shutdown(graceMs);
      } finally {
        await removeAll(made);
      }
    },
  };
}

/** A copy of the demo folder, recorded in `made`; a missing demo folder asks for --root. */
async function demoCopy(made: string[]): Promise<string> {
  try {
    await Deno.stat(DEMO);
  } catch {
    throw new Error(
      `the demo folder ${DEMO} cannot be read: give --root DIR`,
    );
  }
  return await remember(made, copyToTemp(DEMO, { prefix: "cachelab-lab-" }));
}

async function remember(made: string[], path: Promise<string>) {
  const done = await path;
  made.push(done);
  return done;
}

async function removeAll(made: readonly string[]): Promise<void> {
  for (const path of made) await removeFolder(path).catch(() => {});
}

/** Runs `start`; a bind failure names the listener and its flag. */
async function named<T>(
  name: string,
  port: number,
  flag: string,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const where = `127.0.0.1:${port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(`${name}: ${where} is already in use (see ${flag})`);
    }
    throw error;
  }
}

/** The storing rules of the lab's cache settings, without its folder and cap. */
function cacheRules(
  cache: LabPlan["cache"],
): Omit<LabPlan["cache"], "dir" | "sizeBytes"> {
  const { dir: _dir, sizeBytes: _size, ...rules } = cache;
  return rules;
}
