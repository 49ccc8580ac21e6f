/**
 * Owns the contenders of the bench and how each one is set up in its own
 * folder: cachelab's proxy, nginx proxy_cache with one worker and with
 * `worker_processes auto`, Varnish and Squid in accelerator mode. All get
 * the same cache size and object size limit, and log nothing or to files.
 *
 * Must not start processes (processes.ts) or measure (bench.ts).
 */

import { readProductPermissions } from "../product_permissions.ts";
import { fileURLToPath } from "node:url";
import { renderConfigFile } from "./configs.ts";

/** main.ts of this repository. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Total cache size of every contender, MiB. */
export const CACHE_MIB = 2048;
/** Largest object each contender stores, MiB (the biggest file is 256 MiB). */
export const MAX_OBJECT_MIB = 512;

/** Where and how one contender runs. */
export interface ProxySetup {
  /** Its own folder: config, cache, pid and log files. */
  dir: string;
  port: number;
  originPort: number;
  /** Absolute paths of the programs (install.ts found them). */
  programs: Readonly<Record<string, string>>;
}

/** One contender. */
export interface ProxySpec {
  name: string;
  /** The programs it needs, by name (install.ts maps them to packages). */
  programs: readonly string[];
  /** Writes its config into setup.dir and returns its foreground command. */
  prepare(setup: ProxySetup): Promise<string[]>;
}

function program(setup: ProxySetup, name: string): string {
  const path = setup.programs[name];
  if (path === undefined) throw new Error(`Cannot run ${name}: not found`);
  return path;
}

const CACHELAB: ProxySpec = {
  name: "cachelab",
  programs: [],
  async prepare(setup) {
    return [
      Deno.execPath(),
      "run",
      ...await readProductPermissions(), // what the compiled binary runs with
      MAIN,
      "proxy",
      String(setup.port),
      String(setup.originPort),
      "--cache-dir",
      `${setup.dir}/cache`,
      "--cache-size",
      `${CACHE_MIB}MiB`,
      "--max-object-size",
      `${MAX_OBJECT_MIB}MiB`,
      // Its admin listener runs, as it does by default, but on a free port:
      // PORT+1 may be another contender's, or taken since the ports were picked.
      "--admin-port",
      "0",
      "--quiet",
    ];
  },
};

/**
 * cachelab on a Redis store (`--store redis://...`): one node and its own
 * redis-server (maxmemory CACHE_MIB with allkeys-lru, no persistence, on
 * a free port), both under one sh that is the contender's process (the
 * proxy starts once Redis answers PING; SIGTERM stops the proxy, then
 * Redis). Its figures next to `cachelab`'s are the Redis store's cost.
 */
const CACHELAB_REDIS: ProxySpec = {
  name: "cachelab-redis",
  programs: ["redis-server", "redis-cli"],
  async prepare(setup) {
    const redisPort = freePort();
    const proxy = [
      Deno.execPath(),
      "run",
      ...await readProductPermissions(),
      MAIN,
      "proxy",
      String(setup.port),
      String(setup.originPort),
      "--store",
      `redis://127.0.0.1:${redisPort}`,
      "--max-object-size",
      `${MAX_OBJECT_MIB}MiB`,
      "--admin-port",
      "0",
      "--quiet",
    ];
    const redis = [
      program(setup, "redis-server"),
      "--port",
      String(redisPort),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      setup.dir,
      "--maxmemory",
      `${CACHE_MIB}mb`,
      "--maxmemory-policy",
      "allkeys-lru",
    ];
    const cli = [program(setup, "redis-cli"), "-p", String(redisPort), "ping"];
    const q = (words: readonly string[]) => words.map(shellWord).join(" ");
    const script = [
      `${q(redis)} >${shellWord(`${setup.dir}/redis.log`)} 2>&1 & r=$!`,
      `until ${q(cli)} >/dev/null 2>&1; do sleep 0.05; done`,
      `${q(proxy)} & p=$!`,
      `trap 'kill $p; wait $p; kill $r; wait $r; exit 0' TERM INT`,
      "wait $p; kill $r; wait $r",
    ].join("\n");
    return ["sh", "-c", script];
  },
};

/** A free TCP port on 127.0.0.1 (bound, then let go). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A word for sh, single-quoted. */
function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function nginx(name: string, workers: "1" | "auto"): ProxySpec {
  return {
    name,
    programs: ["nginx"],
    async prepare(setup) {
      const config = `${setup.dir}/nginx.conf`;
      await renderConfigFile("nginx.conf", {
        DIR: setup.dir,
        WORKERS: workers,
        PORT: setup.port,
        ORIGIN_PORT: setup.originPort,
        CACHE_MIB,
      }, config);
      return [
        program(setup, "nginx"),
        "-p",
        `${setup.dir}/`,
        "-e",
        `${setup.dir}/error.log`,
        "-c",
        config,
      ];
    },
  };
}

const VARNISH: ProxySpec = {
  name: "varnish",
  programs: ["varnishd"],
  async prepare(setup) {
    const vcl = `${setup.dir}/bench.vcl`;
    await renderConfigFile("varnish.vcl", {
      ORIGIN_PORT: setup.originPort,
      MAX_OBJECT_BYTES: MAX_OBJECT_MIB * 1024 * 1024,
    }, vcl);
    return [
      program(setup, "varnishd"),
      "-F",
      "-f",
      vcl,
      "-a",
      `127.0.0.1:${setup.port}`,
      "-n",
      `${setup.dir}/work`,
      "-s",
      `malloc,${CACHE_MIB}m`,
    ];
  },
};

/** uid and gid of `user` in the text of /etc/passwd. */
export function passwdIds(
  passwd: string,
  user: string,
): { uid: number; gid: number } | undefined {
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields[0] !== user || fields.length < 4) continue;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
  }
  return undefined;
}

/** Squid started as root runs as Debian's `proxy` user: give it its folder. */
async function handSquidItsFolder(dir: string): Promise<void> {
  if (Deno.uid() !== 0) return;
  const ids = passwdIds(await Deno.readTextFile("/etc/passwd"), "proxy");
  if (ids !== undefined) await Deno.chown(dir, ids.uid, ids.gid);
}

const SQUID: ProxySpec = {
  name: "squid",
  programs: ["squid"],
  async prepare(setup) {
    const config = `${setup.dir}/squid.conf`;
    await renderConfigFile("squid.conf", {
      DIR: setup.dir,
      PORT: setup.port,
      ORIGIN_PORT: setup.originPort,
      CACHE_MIB,
      MAX_OBJECT_MIB,
    }, config);
    await handSquidItsFolder(setup.dir);
    return [program(setup, "squid"), "-N", "-f", config];
  },
};

/** Every contender, in table order. */
export const PROXIES: readonly ProxySpec[] = [
  CACHELAB,
  CACHELAB_REDIS,
  nginx("nginx-1w", "1"),
  nginx("nginx-auto", "auto"),
  VARNISH,
  SQUID,
];
