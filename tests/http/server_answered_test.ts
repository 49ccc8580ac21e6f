import { assertEquals } from "../helpers/assert.ts";
import type { AccessLogEntry } from "../../http/access_log.ts";
import { FieldList } from "../../http/headers.ts";
import { serveHttp } from "../../http/server.ts";
import { waitUntil } from "../helpers/cache_proxy.ts";
import { exchange } from "../helpers/raw_peer.ts";

async function serveTwo(
  options: { log?: (line: string) => void },
): Promise<AccessLogEntry[]> {
  const entries: AccessLogEntry[] = [];
  const server = serveHttp(
    Deno.listen({ hostname: "127.0.0.1", port: 0 }),
    (req) =>
      Promise.resolve({
        status: req.head.target === "/gone" ? 404 : 200,
        headers: new FieldList([["Content-Length", "2"]]),
        body: new TextEncoder().encode("ok"),
        logSuffix: "- HIT",
      }),
    { ...options, answered: (entry) => entries.push(entry) },
  );
  try {
    await exchange(
      server.addr,
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /gone HTTP/1.1\r\nHost: h\r\n\r\n",
      { responses: 2 },
    );
    await waitUntil(() => entries.length === 2, "two answered entries");
  } finally {
    await server.shutdown(1000);
  }
  return entries;
}

Deno.test("serveHttp() hands each access-log entry to answered, with or without log lines", async () => {
  const lines: string[] = [];
  for (const log of [undefined, (line: string) => lines.push(line)]) {
    const entries = await serveTwo({ log });
    assertEquals(
      entries.map((e) => [e.requestLine, e.status, e.bytes, e.suffix]),
      [
        ["GET /a HTTP/1.1", 200, 2, "- HIT"],
        ["GET /gone HTTP/1.1", 404, 2, "- HIT"],
      ],
    );
    for (const e of entries) assertEquals(typeof e.time, "number");
  }
  assertEquals(lines.length, 2); // the log lines are still written beside it
});
