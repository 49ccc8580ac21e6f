/**
 * Owns bringing up the bench's servers in one temp folder: cachelab's
 * origin on the bench files, then each contender in its own subfolder on
 * its own free loopback port, all pinned to the servers' core and waited
 * for until they accept connections.
 *
 * Must not measure; a contender that cannot start is reported and left
 * out, the others go on.
 */

import type { Child, Children } from "./processes.ts";
import { freePorts } from "./processes.ts";
import { MAIN, type ProxySpec } from "./proxies.ts";

/** Seconds of freshness the origin gives every response. */
export const ORIGIN_MAX_AGE = 3600;

/** A running server and where to reach it. */
export interface Running {
  name: string;
  url: string;
  child: Child;
}

/** What is needed to start the servers. */
export interface ServerPlan {
  dir: string;
  root: string;
  /** The core servers run on, or undefined not to pin. */
  core?: number;
  programs: Readonly<Record<string, string>>;
}

/** Starts cachelab's origin serving `plan.root`; its access log goes to origin.log. */
export async function startOrigin(
  children: Children,
  plan: ServerPlan,
): Promise<Running & { logFile: string }> {
  const [port] = freePorts(1) as [number];
  const logFile = `${plan.dir}/origin.log`;
  const child = children.start("origin", [
    Deno.execPath(),
    "run",
    "-A",
    MAIN,
    "origin",
    String(port),
    "--root",
    plan.root,
    "--max-age",
    String(ORIGIN_MAX_AGE),
  ], { cwd: plan.dir, logFile, core: plan.core });
  await children.waitUntilListening(child, port);
  return { name: "origin", url: `http://127.0.0.1:${port}`, child, logFile };
}

/**
 * Starts every contender in front of the origin on `originPort`. Returns
 * the ones that run and one problem line per one that did not.
 */
export async function startContenders(
  children: Children,
  specs: readonly ProxySpec[],
  originPort: number,
  plan: ServerPlan,
): Promise<{ running: Running[]; problems: string[] }> {
  const ports = freePorts(specs.length);
  const running: Running[] = [];
  const problems: string[] = [];
  for (const [index, spec] of specs.entries()) {
    const port = ports[index]!;
    const dir = `${plan.dir}/${spec.name}`;
    try {
      await Deno.mkdir(dir, { mode: 0o755 });
      const command = await spec.prepare({
        dir,
        port,
        originPort,
        programs: plan.programs,
      });
      const child = children.start(spec.name, command, {
        cwd: dir,
        logFile: `${plan.dir}/${spec.name}.log`,
        core: plan.core,
      });
      await children.waitUntilListening(child, port);
      running.push({ name: spec.name, url: `http://127.0.0.1:${port}`, child });
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { running, problems };
}
