/**
 * Owns the fixtures of the end-to-end tests: a temp lab folder (the
 * origin's root, the proxy's cache folder, a home for default folders),
 * `main.ts origin` and `main.ts proxy` run as child processes with the
 * compile task's permissions, their stdout and stderr read line by line
 * (access-log lines parsed), and curl run as an independent client.
 *
 * Must not sleep as an oracle: every wait ends on a line, a file or an
 * exit, and is bounded by a deadline that fails the test. Must not import
 * product code: the processes and the files they leave are the oracle.
 */

import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { cachelabCommand } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { ServerProcess } from "./server_process.ts";

export { type AccessLine, ServerProcess } from "./server_process.ts";

/** How long one curl run may take at most. */
const CURL_MAX_SECONDS = 30;

let denoDirOnce: Promise<string> | undefined;

/** The DENO_DIR the children use, so a changed HOME does not re-fetch npm packages. */
function denoDir(): Promise<string> {
  denoDirOnce ??= (async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1" },
    }).output();
    return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir;
  })();
  return denoDirOnce;
}

/** A curl exchange: the last response head and where its body went. */
export interface CurlResult {
  /** curl's exit code (0, or e.g. 18 for a transfer cut short). */
  exitCode: number;
  status: number;
  headers: Headers;
  /** The file the body was written to. */
  bodyPath: string;
  /** The body, unless the caller asked to keep it on disk only. */
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text: string;
}

/** What a curl run may add to a plain GET. */
export interface CurlOptions {
  /** A forward proxy (`curl -x`). */
  proxy?: string;
  /** Request fields, "Name: value". */
  headers?: string[];
  /** A byte range (`curl -r`). */
  range?: string;
  /** Do not read the body into memory (large files: hash the file). */
  bodyOnDisk?: boolean;
  /** curl's --max-time (default 30 s). */
  maxTimeS?: number;
}

/** A temp folder with an origin root, a cache folder and the servers started in it. */
export class Lab implements AsyncDisposable {
  readonly dir: string;
  readonly root: string;
  readonly cacheDir: string;
  /** HOME and XDG_CACHE_HOME of the children: default folders land here. */
  readonly home: string;
  readonly #servers: ServerProcess[] = [];
  #curls = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.root = join(dir, "root");
    this.cacheDir = join(dir, "cache");
    this.home = join(dir, "home");
  }

  /** Makes the lab folder and writes `files` (relative path to content) under the root. */
  static async create(
    files: Record<string, string | Uint8Array> = {},
  ): Promise<Lab> {
    const lab = new Lab(await Deno.makeTempDir({ prefix: "cachelab-e2e-" }));
    await Deno.mkdir(lab.root);
    await Deno.mkdir(join(lab.home, ".cache"), { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      await lab.write(name, content);
    }
    return lab;
  }

  /** Writes a file under the origin's root. */
  async write(name: string, content: string | Uint8Array): Promise<void> {
    const path = join(this.root, name);
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
  }

  /** Starts `main.ts origin 0 --root ROOT ARGS`. */
  origin(args: readonly string[] = []): Promise<ServerProcess> {
    return this.#start("origin", ["origin", "0", "--root", this.root, ...args]);
  }

  /**
   * Starts `main.ts proxy 0 UPSTREAM_PORT --cache-dir CACHE ARGS`;
   * `cacheDir: null` leaves the flag out (--no-cache, or the default folder).
   */
  proxy(
    upstreamPort: number,
    args: readonly string[] = [],
    options: { cacheDir?: string | null } = {},
  ): Promise<ServerProcess> {
    const cacheDir = options.cacheDir === undefined
      ? this.cacheDir
      : options.cacheDir;
    const cacheArgs = cacheDir === null ? [] : ["--cache-dir", cacheDir];
    return this.#start("proxy", [
      "proxy",
      "0",
      String(upstreamPort),
      ...cacheArgs,
      ...args,
    ]);
  }

  /** Runs curl for `url`; the body goes to a file in the lab. */
  async curl(url: string, options: CurlOptions = {}): Promise<CurlResult> {
    const bodyPath = join(this.dir, `curl-${++this.#curls}.body`);
    const maxTimeS = options.maxTimeS ?? CURL_MAX_SECONDS;
    const args = ["-sS", "--max-time", String(maxTimeS), "-D", "-"];
    if (options.proxy) args.push("-x", options.proxy);
    for (const field of options.headers ?? []) args.push("-H", field);
    if (options.range) args.push("-r", options.range);
    args.push("-o", bodyPath, url);
    const output = await withDeadline(
      new Deno.Command("curl", {
        args,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output(),
      (maxTimeS + 5) * 1000,
      `curl ${url}`,
    );
    const { status, headers } = lastHead(
      new TextDecoder().decode(output.stdout),
    );
    const body = options.bodyOnDisk
      ? new Uint8Array(0)
      : await Deno.readFile(bodyPath).catch(() => new Uint8Array(0));
    return {
      exitCode: output.code,
      status,
      headers,
      bodyPath,
      body,
      text: new TextDecoder().decode(body),
    };
  }

  /** Stops every server still running with SIGTERM; returns their exit codes by name. */
  async stopAll(): Promise<number[]> {
    const codes: number[] = [];
    for (const server of [...this.#servers].reverse()) {
      if (!server.exited) codes.push((await server.stop()).code);
    }
    return codes;
  }

  /** Stops (or kills) every server and removes the lab folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const server of [...this.#servers].reverse()) {
      await server[Symbol.asyncDispose]();
    }
    await Deno.remove(this.dir, { recursive: true });
  }

  async #start(name: string, args: string[]): Promise<ServerProcess> {
    const server = ServerProcess.spawn(
      name,
      Deno.execPath(),
      [...await cachelabCommand(), ...args],
      {
        cwd: this.dir,
        env: {
          DENO_DIR: await denoDir(),
          HOME: this.home,
          XDG_CACHE_HOME: join(this.home, ".cache"),
        },
      },
    );
    this.#servers.push(server);
    await server.listening();
    return server;
  }
}

/** The status and fields of the last response head curl dumped (-D -). */
function lastHead(dump: string): { status: number; headers: Headers } {
  const blocks = dump.split("\r\n\r\n").filter((block) => block.trim() !== "");
  const last = blocks.at(-1);
  if (last === undefined) return { status: 0, headers: new Headers() };
  const [statusLine = "", ...fields] = last.split("\r\n");
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon > 0) {
      headers.append(field.slice(0, colon), field.slice(colon + 1).trim());
    }
  }
  return { status, headers };
}

/** The SHA-256 of bytes or of a file's content, in hex. */
export async function sha256(source: Uint8Array | string): Promise<string> {
  const bytes = typeof source === "string"
    ? await Deno.readFile(source)
    : source;
  return createHash("sha256").update(bytes).digest("hex");
}

/** `n` random bytes (a body where any misplaced byte shows). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  }
  return out;
}

/** Every file under `dir`, as paths relative to it (none when it is missing). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string) => {
    for await (const item of Deno.readDir(at)) {
      const path = join(at, item.name);
      if (item.isDirectory) await walk(path);
      else out.push(relative(dir, path));
    }
  };
  try {
    await walk(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

/** One metadata file found in a cache folder. */
export interface FoundMeta {
  /** Path of the JSON file. */
  path: string;
  /** The key it holds ("" when it holds none). */
  key: string;
  /** Its parsed content (the JSON up to its first newline), or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
  /** True when the body lives inside this file, after the JSON and a newline. */
  inline: boolean;
}

/** Every `*.json` file of a cache folder, parsed when it can be (a body inside it, after a newline, left out). */
export async function metaFiles(cacheDir: string): Promise<FoundMeta[]> {
  const found: FoundMeta[] = [];
  for (const name of await listFiles(cacheDir)) {
    if (!name.endsWith(".json")) continue;
    const path = join(cacheDir, name);
    let json: Record<string, unknown> | undefined;
    const bytes = await Deno.readFile(path);
    const split = bytes.indexOf(0x0a);
    try {
      json = JSON.parse(
        new TextDecoder().decode(split < 0 ? bytes : bytes.subarray(0, split)),
      );
    } catch {
      json = undefined;
    }
    const key = typeof json?.key === "string" ? json.key : "";
    const inline = String(json?.bodyFile).endsWith(".inline.body");
    found.push({ path, key, json, inline });
  }
  return found;
}

/**
 * The body file a metadata file names: beside it in its `<hh>` folder,
 * with the same `<hash>.` prefix (the cache's flat layout). An inline
 * body's name is no file: check `meta.inline` first.
 */
export function bodyPathOf(meta: FoundMeta): string {
  const name = meta.path.slice(meta.path.lastIndexOf("/") + 1);
  const prefix = name.slice(0, name.indexOf(".") + 1);
  return meta.path.replace(/[^/]+$/, prefix + String(meta.json?.bodyFile));
}

/** The keys of the metadata files of a cache folder, sorted. */
export async function storedKeys(cacheDir: string): Promise<string[]> {
  return (await metaFiles(cacheDir)).map((meta) => meta.key).sort();
}

/** Looks at `condition` every 20 ms until it holds; fails after `ms` (a bound, never an oracle). */
export async function pollUntil(
  condition: () => Promise<boolean> | boolean,
  what: string,
  ms = 10_000,
): Promise<void> {
  const stop = Date.now() + ms;
  while (!await condition()) {
    if (Date.now() > stop) throw new Error(`Cannot see ${what}: over ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
