/**
 * Owns the redis-server processes of the tests: one started on a free port
 * (port 0 bound, closed, then given to redis-server), with no persistence
 * (`--save "" --appendonly no`), bound to 127.0.0.1; waiting for its PONG;
 * raw commands for setup and checks (RESP over Deno.connect, independent
 * of the product's client); pausing it (SIGSTOP) and stopping it.
 *
 * Must not be used by product code, and must not touch port 6379.
 */

import { DEFAULT_DEADLINE_MS, withDeadline } from "./deadline.ts";

/** The redis-server binary, or undefined when it cannot be found on PATH. */
export const REDIS_SERVER: string | undefined = findOnPath("redis-server");

/** A running redis-server of a test. */
export interface RedisServer extends AsyncDisposable {
  port: number;
  /** `redis://127.0.0.1:PORT/0` */
  url: string;
  /** Runs one command on a connection of its own; the reply (nested arrays of strings, numbers, null). Rejects on an error reply. */
  command(...args: (string | number | Uint8Array)[]): Promise<RespReply>;
  /** Stops the process (SIGSTOP): it keeps its connections but answers nothing. */
  pause(): void;
  /** Lets a paused process go on (SIGCONT). */
  resume(): void;
  /** Stops the process and waits for it to exit; idempotent. */
  stop(): Promise<void>;
}

/** A RESP reply as the tests read it. */
export type RespReply = string | number | null | RespReply[];

/** A test name with "(skipped: redis-server not found)" when it cannot run. */
export function redisTestName(name: string): string {
  return REDIS_SERVER ? name : `${name} (skipped: redis-server not found)`;
}

/** Declares a test that needs redis-server, skipped with a visible reason without it. */
export function redisTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: redisTestName(name), ignore: !REDIS_SERVER, fn });
}

/**
 * Declares a test of a known defect, not fixed yet: ignored, its name
 * saying so and why, so that the run shows it as skipped, never as passed.
 */
export function redisKnownDefect(
  name: string,
  why: string,
  fn: () => Promise<void>,
): void {
  Deno.test({
    name: `${name} (ignored: known defect, ${why})`,
    ignore: true,
    fn,
  });
}

/** How startRedisServer() starts one. */
export interface RedisServerOptions {
  /** A port to use (to start one again where a stopped one was); a free one when absent. */
  port?: number;
  /** More arguments, e.g. ["--maxmemory", "1mb"]. */
  args?: string[];
}

/**
 * Starts redis-server on a free port (or `options.port`) and resolves
 * once it answers PING (within 5 s, else rejects "Cannot start
 * redis-server: ..."). Throws when redis-server is not found (check
 * REDIS_SERVER first).
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const extra = options.args ?? [];
  if (!REDIS_SERVER) {
    throw new Error("Cannot start redis-server: redis-server not found");
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? freePort();
    const child = new Deno.Command(REDIS_SERVER, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--enable-debug-command",
        "local",
        ...extra,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const server = serverOf(child, port);
    try {
      await waitForPong(port, child);
      return server;
    } catch (error) {
      lastError = error;
      await server.stop(); // the port was taken meanwhile: another one
    }
  }
  throw new Error(`Cannot start redis-server: ${lastError}`, {
    cause: lastError,
  });
}

/**
 * One server for a whole test file, started when the file loads (outside
 * every test's sanitizers) and killed when the process unloads; undefined
 * when redis-server is not found.
 */
export async function fileRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServer | undefined> {
  if (!REDIS_SERVER) return undefined;
  const server = await startRedisServer(options);
  globalThis.addEventListener("unload", () => killNow(server));
  return server;
}

const running = new Map<RedisServer, Deno.ChildProcess>();

function killNow(server: RedisServer): void {
  const child = running.get(server);
  if (!child) return;
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

function serverOf(child: Deno.ChildProcess, port: number): RedisServer {
  child.unref(); // a file's server must not keep the test runner alive
  let stopped: Promise<void> | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    command: (...args) => respCommand(port, args),
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    stop: () => {
      stopped ??= (async () => {
        running.delete(server);
        try {
          child.kill("SIGKILL");
        } catch {
          // already exited
        }
        await withDeadline(
          child.status,
          DEFAULT_DEADLINE_MS,
          "redis-server exit",
        );
      })();
      return stopped;
    },
    [Symbol.asyncDispose]: () => server.stop(),
  };
  running.set(server, child);
  return server;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitForPong(
  port: number,
  child: Deno.ChildProcess,
): Promise<void> {
  let exited = false;
  child.status.then(() => exited = true);
  const until = Date.now() + DEFAULT_DEADLINE_MS;
  while (Date.now() < until) {
    if (exited) throw new Error(`redis-server exited (port ${port} taken?)`);
    try {
      if (await respCommand(port, ["PING"]) === "PONG") return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no PONG on port ${port} within ${DEFAULT_DEADLINE_MS} ms`);
}

/** One command on a fresh connection, bounded by DEFAULT_DEADLINE_MS. */
async function respCommand(
  port: number,
  args: (string | number | Uint8Array)[],
): Promise<RespReply> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encode(args));
    return await withDeadline(
      readReply(conn),
      DEFAULT_DEADLINE_MS,
      `redis ${args[0]}`,
    );
  } finally {
    conn.close();
  }
}

function encode(args: (string | number | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const text = new TextEncoder();
  parts.push(text.encode(`*${args.length}\r\n`));
  for (const arg of args) {
    const bytes = arg instanceof Uint8Array ? arg : text.encode(String(arg));
    parts.push(text.encode(`$${bytes.length}\r\n`), bytes, text.encode("\r\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function readReply(conn: Deno.Conn): Promise<RespReply> {
  let buffer = new Uint8Array(0);
  const chunk = new Uint8Array(64 * 1024);
  for (;;) {
    const parsed = parseReply(buffer, 0);
    if (parsed) return parsed[0];
    const n = await conn.read(chunk);
    if (n === null) {
      throw new Error("Cannot read Redis reply: connection closed");
    }
    const next = new Uint8Array(buffer.length + n);
    next.set(buffer);
    next.set(chunk.subarray(0, n), buffer.length);
    buffer = next;
  }
}

/** One reply from `at`, and where it ends; undefined when incomplete. Bulk strings come one character per byte. */
function parseReply(
  buffer: Uint8Array,
  at: number,
): [RespReply, number] | undefined {
  const lineEnd = indexOfCrlf(buffer, at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const line = new TextDecoder().decode(buffer.subarray(at + 1, lineEnd));
  const next = lineEnd + 2;
  if (type === "+") return [line, next];
  if (type === "-") throw new Error(`Redis error reply: ${line}`);
  if (type === ":") return [Number(line), next];
  if (type === "$") {
    const length = Number(line);
    if (length < 0) return [null, next];
    if (buffer.length < next + length + 2) return undefined;
    const bytes = buffer.subarray(next, next + length);
    return [binaryString(bytes), next + length + 2];
  }
  if (type === "*") {
    const count = Number(line);
    if (count < 0) return [null, next];
    const items: RespReply[] = [];
    let from = next;
    for (let i = 0; i < count; i++) {
      const item = parseReply(buffer, from);
      if (!item) return undefined;
      items.push(item[0]);
      from = item[1];
    }
    return [items, from];
  }
  throw new Error(`Cannot read Redis reply: type ${type}`);
}

/** One character per byte (code 0 to 255), so that no byte is lost. */
function binaryString(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function indexOfCrlf(buffer: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buffer.length; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10) return i;
  }
  return -1;
}

function findOnPath(name: string): string | undefined {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d);
  for (const dir of [...dirs, "/usr/bin", "/usr/sbin"]) {
    try {
      const path = `${dir}/${name}`;
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
