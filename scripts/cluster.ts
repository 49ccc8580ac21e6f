/**
 * Owns `deno task cluster`, the scale-out demo: starts a local
 * `redis-server` (Debian's package; a free port unless --redis-port, no
 * persistence, maxmemory 64mb with allkeys-lru), `cachelab origin` on a
 * copy of demo/ (Cache-Control: max-age=60, so a stored response is a hit
 * for a minute) and two `cachelab proxy` nodes on 12345 and 12355 sharing
 * the Redis store, with their output prefixed; prints curl commands that
 * show a miss on one node becoming a hit on the other; Ctrl-C (or one of
 * them ending) stops them all, Redis last, and removes the copy.
 *
 * Must not be imported by product code.
 *
 * Usage: deno run --allow-run --allow-read=. --allow-write=/tmp
 *          --allow-net=127.0.0.1 scripts/cluster.ts [--redis-port N]
 */

import { fileURLToPath } from "node:url";
import { parseCommandLine, UsageError } from "../cli/args.ts";
import { parseRemotePort } from "../cli/values.ts";
import { copyDemo, removeCopy } from "./demo_copy.ts";
import { readProductPermissions } from "./product_permissions.ts";
import { type Server, spawnCachelab, stop } from "./start.ts";

const DEMO = fileURLToPath(new URL("../demo", import.meta.url));
const ORIGIN_PORT = 20000;
const NODE_PORTS = [12345, 12355] as const;
/** The Host the curl commands send: one site, whichever node answers. */
const HOST = "cachelab.demo";

export const CLUSTER_HELP = `Usage: deno task cluster [OPTIONS]

Runs the scale-out demo: redis-server, cachelab origin on a fresh copy of
demo/ (max-age=60) at :${ORIGIN_PORT}, and two cachelab proxies at :${
  NODE_PORTS[0]
} and :${NODE_PORTS[1]}
sharing one cache in Redis; prints curl commands to try. Ctrl-C stops all.

Options:
  --redis-port N             Redis's port. (default: a free one)
  -h, --help                 Print this help and exit.
`;

/** Reads `deno task cluster`'s arguments: the Redis port, or undefined for a free one. */
export function parseClusterArgs(
  args: readonly string[],
): { redisPort: number | undefined; help: boolean } {
  const parsed = parseCommandLine(args, {
    name: "cluster",
    summary: "",
    positionals: [],
    flags: [{ name: "redis-port", value: "N", help: "" }],
    notes: [],
  });
  const text = parsed.flags.get("redis-port");
  return {
    redisPort: typeof text === "string"
      ? parseRemotePort(text, "--redis-port")
      : undefined,
    help: parsed.help,
  };
}

/** A free TCP port on 127.0.0.1 (bound, then let go). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Resolves once redis-server at `port` answers PING, or rejects after ~5 s. */
async function waitForRedis(port: number): Promise<void> {
  const until = Date.now() + 5000;
  let why = "";
  while (Date.now() < until) {
    try {
      using conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(64);
      const n = await conn.read(buffer);
      const reply = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      if (reply.startsWith("+PONG")) return;
      why = reply.trim();
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Cannot reach redis-server on port ${port}: ${why}`);
}

/** Starts redis-server on `port`, its output dropped. */
function startRedis(port: number): Deno.ChildProcess {
  return new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory",
      "64mb",
      "--maxmemory-policy",
      "allkeys-lru",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

function tryThis(redisPort: number, demo: string): string {
  const [a, b] = NODE_PORTS;
  const get = (port: number) =>
    `curl -s -D - -o /dev/null -H 'Host: ${HOST}' localhost:${port}/1.txt | grep -i cache-status`;
  return [
    `Redis listens at 127.0.0.1:${redisPort}; the origin serves ${demo}/ (max-age=60) at :${ORIGIN_PORT};`,
    `the two proxies at :${a} and :${b} share their cache in Redis. Requests share entries when they`,
    `name the same Host, as behind a load balancer (Host: ${HOST} here). Try, in another terminal:`,
    `  ${get(a)}   # node ${a}: fwd=uri-miss; stored`,
    `  ${get(b)}   # node ${b}: hit, stored by the other node`,
    `  curl -s -X DELETE 'localhost:${
      a + 1
    }/api/entries?url=http://${HOST}/1.txt'   # purge on node ${a}...`,
    `  curl -s localhost:${b + 1}/api/entries   # ...gone for node ${b} too`,
    `  curl -s localhost:${
      a + 1
    }/metrics | grep store_   # cachelab_store_up and friends`,
    "Ctrl-C stops them all.",
  ].join("\n");
}

async function main(args: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseClusterArgs>;
  try {
    options = parseClusterArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cluster: ${e.message} (see deno task cluster --help)`);
    return 2;
  }
  if (options.help) {
    console.log(CLUSTER_HELP.trimEnd());
    return 0;
  }
  const redisPort = options.redisPort ?? freePort();
  let redis: Deno.ChildProcess;
  try {
    redis = startRedis(redisPort);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.error(
      "cluster: redis-server not found (Debian: apt-get install redis-server)",
    );
    return 1;
  }
  const servers: Server[] = [];
  let stopping = false;
  const onSignal = () => {
    stopping = true;
    stop(servers);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let copy: string | undefined;
  try {
    await waitForRedis(redisPort);
    copy = await copyDemo(DEMO);
    if (stopping) return 1;
    return await runNodes(redisPort, copy, servers, () => stopping);
  } catch (error) {
    console.error(`cluster: ${error instanceof Error ? error.message : error}`);
    stop(servers);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await Promise.all(servers.map((s) => s.process.status));
    try {
      redis.kill("SIGTERM");
    } catch {
      // already exited
    }
    await redis.status;
    if (copy !== undefined) await removeCopy(copy);
  }
}

/** Runs the origin on `demo` and the two nodes, until one of them ends. */
async function runNodes(
  redisPort: number,
  demo: string,
  servers: Server[],
  stopping: () => boolean,
): Promise<number> {
  const permissions = await readProductPermissions();
  const origin = spawnCachelab("origin", [
    "origin",
    String(ORIGIN_PORT),
    "--root",
    demo,
    "--max-age",
    "60",
  ], permissions);
  servers.push(origin);
  const started = [await origin.started];
  for (const port of NODE_PORTS) {
    if ("failure" in started[0]!) break;
    const node = spawnCachelab(`proxy :${port}`, [
      "proxy",
      String(port),
      String(ORIGIN_PORT),
      "--store",
      `redis://127.0.0.1:${redisPort}`,
    ], permissions);
    servers.push(node);
    started.push(await node.started);
  }
  const failed = started.find((s) => "failure" in s);
  if (failed && "failure" in failed) {
    console.error(`cluster: a server did not start: ${failed.failure}`);
    stop(servers);
    await Promise.all(servers.map((s) => s.drained));
    return 1;
  }
  if (stopping()) stop(servers);
  console.log(tryThis(redisPort, demo));
  await Promise.race(servers.map((s) => s.process.status));
  stop(servers);
  const statuses = await Promise.all(servers.map((s) => s.process.status));
  await Promise.all(servers.map((s) => s.drained));
  return statuses.every((status) => status.success) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
