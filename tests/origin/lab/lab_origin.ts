/**
 * Owns the lab route tests' origin: `startOrigin()` in-process with the
 * lab on, port 0, a temp root holding one file, and a clock stopped at
 * `NOW`; plus raw-TCP requests to it (exact status lines and fields, cut
 * by tests/helpers/wire_text.ts, never by http/) and the reading of
 * `/lab/count`.
 *
 * Must not assert: the tests beside it do. Must not sleep or use fixed
 * ports.
 */

import type { HttpServer } from "../../../http/server.ts";
import { type LabScript, startOrigin } from "../../../origin/mod.ts";
import { exchange, type StreamEnd } from "../../helpers/raw_peer.ts";
import type { WireResponse } from "../../helpers/wire_text.ts";

/** The injected clock: Fri, 02 Jan 2026 03:04:05 GMT, in ms. */
export const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

/** `NOW` as an IMF-fixdate, computed without the code under test. */
export const NOW_DATE = new Date(NOW).toUTCString();

/** The Host field every raw request carries. */
export const HOST = "Host: origin.test\r\n";

/** A lab origin on 127.0.0.1 and port 0 over a temp root. */
export interface LabOrigin extends AsyncDisposable {
  server: HttpServer;
  port: number;
  /** The temp root; it holds 1.txt ("hello\n"). */
  root: string;
  /** `http://127.0.0.1:PORT` + path. */
  url(path: string): string;
}

/**
 * Starts the origin with `lab: {}` (or without the lab when `lab` is
 * false; with `script` when given).
 */
export async function startLabOrigin(
  options: { lab?: boolean; script?: LabScript } = {},
): Promise<LabOrigin> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-lab-" });
  await Deno.writeTextFile(`${dir}/1.txt`, "hello\n");
  let server: HttpServer;
  try {
    server = await startOrigin({
      host: "127.0.0.1",
      port: 0,
      root: dir,
      cacheControl: "no-cache",
      headTimeoutMs: 5000,
      idleTimeoutMs: 5000,
      ...(options.lab === false ? {} : { lab: { script: options.script } }),
      now: () => NOW,
    });
  } catch (e) {
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
  const port = server.addr.port;
  return {
    server,
    port,
    root: dir,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown(1000);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Sends `METHOD target` with `fields` (whole lines without CRLF) and
 * `Connection: close` on a fresh connection; returns its one response.
 */
export async function ask(
  o: LabOrigin,
  target: string,
  fields: string[] = [],
  method = "GET",
): Promise<WireResponse> {
  const { responses } = await exchange(
    o.server.addr,
    requestText(target, fields, method, true),
    { methods: [method] },
  );
  if (responses.length !== 1) {
    throw new Error(
      `Cannot ask ${method} ${target}: ${responses.length} responses`,
    );
  }
  return responses[0]!;
}

/** One request's bytes (keep-alive unless `close`). */
export function requestText(
  target: string,
  fields: string[] = [],
  method = "GET",
  close = false,
): string {
  const extra = fields.map((f) => `${f}\r\n`).join("");
  return `${method} ${target} HTTP/1.1\r\n${HOST}${extra}` +
    (close ? "Connection: close\r\n" : "") + "\r\n";
}

/**
 * Sends several requests pipelined on one connection (the last one asks
 * to close) and reads every response.
 */
export async function pipeline(
  o: LabOrigin,
  requests: { target: string; fields?: string[]; method?: string }[],
): Promise<{ responses: WireResponse[]; end: StreamEnd }> {
  const text = requests.map((r, i) =>
    requestText(r.target, r.fields, r.method, i === requests.length - 1)
  ).join("");
  const { responses, end } = await exchange(o.server.addr, text, {
    methods: requests.map((r) => r.method ?? "GET"),
  });
  return { responses, end };
}

/** The body of `/lab/count?path=P` as the origin answers it. */
export async function countOf(o: LabOrigin, path: string): Promise<string> {
  const res = await ask(o, `/lab/count?path=${encodeURIComponent(path)}`);
  if (res.status !== 200) {
    throw new Error(`Cannot read the count of ${path}: ${res.status}`);
  }
  return res.bodyText;
}

/** The fields of a response whose names are in `names` (case-insensitive), in order. */
export function fieldsNamed(
  res: WireResponse,
  names: string[],
): [string, string][] {
  const lower = names.map((n) => n.toLowerCase());
  return res.head.fields.filter(([n]) => lower.includes(n.toLowerCase()));
}
