/**
 * Owns a real Node.js origin for the end-to-end tests: `node -e` running
 * an `http.createServer` that answers every request with
 * "METHOD URL BODY-LENGTH" (except /drop*: its connection is destroyed
 * unanswered; /hold*: answered once the test says release), counts what it
 * received and reports each event as one JSON line on stdout (listening,
 * connection, request, the client ending a connection). Commands on stdin
 * close its idle connections, reset every connection, or release held
 * requests. Node is found on PATH; when it is missing the
 * tests that need it are skipped with a visible reason (`nodeTest`).
 *
 * Must not sleep: waits end on an event line or an exit, bounded by a
 * deadline. Must not import product code.
 */

import { withDeadline } from "../helpers/deadline.ts";

/** How the origin keeps connections. */
export interface NodeOriginOptions {
  /** Port to listen on (0 picks one; a restart passes the old one). */
  port?: number;
  /**
   * Node's `server.keepAliveTimeout` in ms: idle connections are closed
   * after it and responses say `Keep-Alive: timeout=floor(ms/1000)`.
   * 0 turns both off.
   */
  keepAliveTimeoutMs?: number;
  /**
   * Closes an idle connection after this many ms without saying so in a
   * Keep-Alive field (keepAliveTimeoutMs must then be 0): an origin whose
   * idle limit nobody was told about.
   */
  silentIdleCloseMs?: number;
  /** Node's `server.maxRequestsPerSocket` (sent as `max=` in Keep-Alive). */
  maxRequestsPerSocket?: number;
}

/** One event the origin reported. */
export interface NodeEvent {
  event: "listening" | "connection" | "request" | "client-end";
  port?: number;
  method?: string;
  url?: string;
  body?: string;
  /** Index of the connection the event belongs to (0, 1, ...). */
  conn?: number;
}

const WAIT_MS = 15_000;

const SCRIPT = `
const http = require("node:http");
const o = JSON.parse(process.argv[1]);
const say = (e) => process.stdout.write(JSON.stringify(e) + "\\n");
const sockets = new Set();
let conns = 0;
let released = false;
const held = [];
const server = http.createServer((req, res) => {
  const s = req.socket;
  if (o.silentIdleCloseMs) s.setTimeout(0);
  const parts = [];
  req.on("data", (c) => parts.push(c));
  req.on("end", () => {
    const body = Buffer.concat(parts).toString("latin1");
    say({ event: "request", method: req.method, url: req.url, body, conn: s.conn });
    if (req.url.startsWith("/drop")) return s.destroy();
    const answer = () => {
      if (o.silentIdleCloseMs) res.on("finish", () => s.setTimeout(o.silentIdleCloseMs));
      res.setHeader("Content-Type", "text/plain");
      res.setHeader("Cache-Control", "no-store");
      res.end(req.method + " " + req.url + " " + body.length + "\\n");
    };
    if (req.url.startsWith("/hold") && !released) held.push(answer);
    else answer();
  });
});
server.keepAliveTimeout = o.keepAliveTimeoutMs;
if (o.maxRequestsPerSocket) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
server.on("connection", (s) => {
  s.conn = conns++;
  sockets.add(s);
  say({ event: "connection", conn: s.conn });
  s.on("end", () => say({ event: "client-end", conn: s.conn }));
  s.on("close", () => sockets.delete(s));
});
process.stdin.setEncoding("latin1");
process.stdin.on("data", (d) => {
  if (d.includes("close-idle")) server.closeIdleConnections();
  if (d.includes("reset-all")) for (const s of sockets) s.resetAndDestroy();
  if (d.includes("release")) {
    released = true;
    for (const answer of held.splice(0)) answer();
  }
});
process.stdin.on("end", () => process.exit(0));
server.listen(o.port, "127.0.0.1", () =>
  say({ event: "listening", port: server.address().port }));
`;

let nodeOnce: Promise<string | undefined> | undefined;

/** The path of `node` on PATH, or undefined when there is none. */
export function findNode(): Promise<string | undefined> {
  nodeOnce ??= (async () => {
    try {
      const out = await new Deno.Command("which", {
        args: ["node"],
        stdout: "piped",
        stderr: "null",
      }).output();
      const path = new TextDecoder().decode(out.stdout).trim();
      return out.success && path !== "" ? path : undefined;
    } catch {
      return undefined;
    }
  })();
  return nodeOnce;
}

const NODE = await findNode();

/**
 * Deno.test for a test that needs node: skipped (ignored, and named so
 * the reason shows) when node is not on PATH.
 */
export function nodeTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name: NODE ? name : `${name} (skipped: node not found)`,
    ignore: NODE === undefined,
    fn,
  });
}

/** A running Node.js origin. */
export class NodeOrigin implements AsyncDisposable {
  readonly events: NodeEvent[] = [];
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #changed: (() => void)[] = [];
  #ended = false;
  #pump: Promise<void>;
  #port = 0;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    this.#pump = this.#read(child.stdout);
  }

  /** Starts node and waits until it listens. */
  static async start(options: NodeOriginOptions = {}): Promise<NodeOrigin> {
    const node = await findNode();
    if (!node) throw new Error("Cannot start the node origin: node not found");
    const settings = {
      port: options.port ?? 0,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5000,
      silentIdleCloseMs: options.silentIdleCloseMs ?? 0,
      maxRequestsPerSocket: options.maxRequestsPerSocket ?? 0,
    };
    const child = new Deno.Command(node, {
      args: ["-e", SCRIPT, JSON.stringify(settings)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const origin = new NodeOrigin(child);
    try {
      await origin.waitFor((e) => e.event === "listening", "listening");
    } catch (error) {
      await origin[Symbol.asyncDispose]();
      throw error;
    }
    origin.#port = origin.events.find((e) => e.event === "listening")!.port!;
    return origin;
  }

  get port(): number {
    return this.#port;
  }

  /** The requests received, in order. */
  get requests(): NodeEvent[] {
    return this.events.filter((e) => e.event === "request");
  }

  /** How many connections were accepted. */
  get connections(): number {
    return this.events.filter((e) => e.event === "connection").length;
  }

  /** How many connections the client (the proxy) ended first. */
  get clientEnds(): number {
    return this.events.filter((e) => e.event === "client-end").length;
  }

  /** Asks node to close every idle connection (server.closeIdleConnections()). */
  async closeIdle(): Promise<void> {
    await this.#command("close-idle");
  }

  /** Asks node to reset every connection (socket.resetAndDestroy(): RST). */
  async resetAll(): Promise<void> {
    await this.#command("reset-all");
  }

  /** Answers the /hold requests waiting, and later ones at once. */
  async release(): Promise<void> {
    await this.#command("release");
  }

  async #command(name: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(`${name}\n`));
  }

  /** Waits until `n` events match (bounded); fails when node exits first. */
  async waitFor(
    match: (e: NodeEvent) => boolean,
    what: string,
    n = 1,
  ): Promise<void> {
    const stop = Date.now() + WAIT_MS;
    while (this.events.filter(match).length < n) {
      if (this.#ended) throw new Error(`Cannot see ${what}: node exited`);
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#changed.push(resolve);
      await withDeadline(promise, Math.max(0, stop - Date.now()), what);
    }
  }

  /** Kills the process (SIGKILL: its sockets close without a goodbye). */
  async kill(): Promise<void> {
    if (this.#ended) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await this.#settle();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#ended) {
      await this.#stdin.close().catch(() => {}); // node exits on end of stdin
      try {
        await withDeadline(this.#child.status, WAIT_MS, "node to exit");
      } catch {
        this.#child.kill("SIGKILL");
      }
    }
    await this.#settle();
  }

  async #settle(): Promise<void> {
    await withDeadline(this.#child.status, WAIT_MS, "node to exit");
    await this.#pump;
    await this.#stdin.close().catch(() => {});
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      pending += text;
      let end: number;
      while ((end = pending.indexOf("\n")) !== -1) {
        this.events.push(JSON.parse(pending.slice(0, end)));
        pending = pending.slice(end + 1);
      }
      this.#wake();
    }
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const waiting = this.#changed;
    this.#changed = [];
    for (const resolve of waiting) resolve();
  }
}
