import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { eventsHandler, sseMessage } from "../../admin/events.ts";
import { EventHub } from "../../proxy/events.ts";
import { startAdmin } from "../../admin/server.ts";
import {
  countingUpstream,
  startCacheProxy,
  waitUntil,
} from "../helpers/cache_proxy.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { exchange, RawClient } from "../helpers/raw_peer.ts";

const EVENTS_URL = new URL("http://127.0.0.1/api/events");
const NOT_STORED =
  "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 2\r\n\r\nok";
const CACHEABLE =
  "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok";

/** One parsed SSE message: its event name and its data parsed as JSON. */
interface Message {
  event: string;
  data: Record<string, unknown>;
}

/** The complete messages in `text` (comments skipped), and what is left. */
function parseMessages(text: string): { messages: Message[]; rest: string } {
  const blocks = text.split("\n\n");
  const rest = blocks.pop()!;
  const messages: Message[] = [];
  for (const block of blocks) {
    const lines = block.split("\n").filter((l) => !l.startsWith(":"));
    if (lines.length === 0) continue;
    const event = lines.find((l) => l.startsWith("event: "))!.slice(7);
    const data = JSON.parse(
      lines.find((l) => l.startsWith("data: "))!.slice(6),
    );
    messages.push({ event, data });
  }
  return { messages, rest };
}

/** Reads SSE messages from `body` until `enough(all so far)`, within 5 s. */
async function readMessages(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  enough: (messages: Message[]) => boolean,
): Promise<Message[]> {
  const decoder = new TextDecoder();
  const all: Message[] = [];
  let buffered = "";
  await withDeadline(
    (async () => {
      while (!enough(all)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("Cannot read events: the stream ended");
        const parsed = parseMessages(buffered + decoder.decode(value));
        all.push(...parsed.messages);
        buffered = parsed.rest;
      }
    })(),
    5000,
    "reading events",
  );
  return all;
}

Deno.test("sseMessage() writes an event name and its JSON on one data line", () => {
  assertEquals(
    sseMessage("purge", { purged: 2, target: { url: "http://h/\n" } }),
    'event: purge\ndata: {"purged":2,"target":{"url":"http://h/\\n"}}\n\n',
  );
});

Deno.test("eventsHandler() on Deno.serve streams a proxy's request and store events to a reading client", async () => {
  const hub = new EventHub();
  await using upstream = countingUpstream(() => CACHEABLE);
  await using proxy = await startCacheProxy(upstream.port, { events: hub });
  const handler = eventsHandler(hub);
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => handler(request, new URL(request.url)),
  );
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/api/events`);
  assertEquals(res.status, 200);
  assertEquals(
    res.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  const reader = res.body!.getReader();
  try {
    await waitUntil(() => hub.subscribers === 1, "the subscriber");
    for (let i = 0; i < 2; i++) {
      await exchange(proxy.addr, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", {
        responses: 1,
      });
    }
    const messages = await readMessages(
      reader,
      (all) => all.filter((m) => m.event === "request").length === 2,
    );
    assertEquals(messages.map((m) => m.event), ["store", "request", "request"]);
    const [stored, miss, hit] = messages.map((m) => m.data);
    assertEquals(stored!.type, "store");
    assertEquals(stored!.url, "http://h/a");
    assertEquals(stored!.key, `http://h/a via 127.0.0.1:${upstream.port}`);
    assertEquals(stored!.status, 200);
    assertEquals(stored!.bodySize, 2);
    assertEquals([miss!.method, miss!.url, miss!.status, miss!.result], [
      "GET",
      "/a",
      200,
      "MISS",
    ]);
    assertEquals(hit!.result, "HIT");
    assertEquals(typeof hit!.durationMs, "number");
    assertEquals(typeof hit!.time, "number");
  } finally {
    await reader.cancel();
  }
  await waitUntil(() => hub.subscribers === 0, "the subscriber gone");
});

Deno.test("eventsHandler() drops the events of a subscriber that does not read, counts them and says how many once it reads", async () => {
  const hub = new EventHub();
  await using upstream = countingUpstream(() => NOT_STORED);
  await using proxy = await startCacheProxy(upstream.port, { events: hub });
  const handler = eventsHandler(hub, { queueEvents: 8 });
  const res = await handler(new Request(EVENTS_URL), EVENTS_URL);
  assertEquals(hub.subscribers, 1);
  const n = 40;
  for (let i = 0; i < n; i++) {
    await exchange(proxy.addr, `GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`, {
      responses: 1,
    });
  }
  await waitUntil(() => proxy.logs.length === n, `${n} log lines`);
  assertEquals(upstream.requests.length, n); // the proxy served them all
  assertEquals(hub.dropped, n - 8); // the queue held 8: memory stays bounded
  const reader = res.body!.getReader();
  try {
    const messages = await readMessages(reader, (all) => all.length === 9);
    assertEquals(messages[0], { event: "dropped", data: { dropped: n - 8 } });
    assertEquals(
      messages.slice(1).map((m) => m.data.url),
      ["/0", "/1", "/2", "/3", "/4", "/5", "/6", "/7"],
    );
    await exchange(proxy.addr, "GET /again HTTP/1.1\r\nHost: h\r\n\r\n", {
      responses: 1,
    });
    const next = await readMessages(reader, (all) => all.length === 1);
    assertEquals([next[0]!.event, next[0]!.data.url], ["request", "/again"]); // no drop to report now
  } finally {
    await reader.cancel();
  }
  assertEquals(hub.subscribers, 0);
  assertEquals(hub.dropped, n - 8);
});

Deno.test("eventsHandler() on Deno.serve never holds the proxy up for a client that stops reading", async () => {
  const hub = new EventHub();
  await using upstream = countingUpstream(() => NOT_STORED);
  await using proxy = await startCacheProxy(upstream.port, { events: hub });
  const handler = eventsHandler(hub, { queueEvents: 8 });
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (request) => handler(request, new URL(request.url)),
  );
  const stuck = await RawClient.connect(server.addr);
  try {
    await stuck.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${server.addr.port}\r\n\r\n`,
    ); // and never read
    await waitUntil(() => hub.subscribers === 1, "the subscriber");
    const n = 200;
    await withDeadline(
      (async () => {
        for (let i = 0; i < n; i++) {
          await exchange(proxy.addr, `GET /${i} HTTP/1.1\r\nHost: h\r\n\r\n`, {
            responses: 1,
          });
        }
      })(),
      20_000,
      `${n} requests beside a stuck subscriber`,
    );
    await waitUntil(() => proxy.logs.length === n, `${n} log lines`);
    assertEquals(upstream.requests.length, n);
    assertStringIncludes(proxy.logs[n - 1]!, `"GET /${n - 1} HTTP/1.1" 200`);
  } finally {
    stuck.close();
  }
  await waitUntil(() => hub.subscribers === 0, "the subscriber gone");
});

Deno.test("eventsHandler() ends every stream when the hub closes, and a stream opened after at once", async () => {
  const hub = new EventHub();
  const handler = eventsHandler(hub);
  const url = new URL("http://127.0.0.1/api/events");
  const open = await handler(new Request(url), url);
  const reader = open.body!.getReader();
  await reader.read(); // the greeting
  assertEquals(hub.subscribers, 1);
  hub.close();
  assertEquals(hub.subscribers, 0);
  assertEquals(
    (await withDeadline(reader.read(), 5_000, "the stream's end")).done,
    true,
  );
  const late = await handler(new Request(url), url);
  const lateReader = late.body!.getReader();
  await lateReader.read(); // the greeting
  assertEquals(
    (await withDeadline(lateReader.read(), 5_000, "the late stream's end"))
      .done,
    true,
  );
  assertEquals(hub.subscribers, 0);
});

Deno.test("eventsHandler() answers 503 with Retry-After and counts it when maxSubscribers already subscribe", async () => {
  const hub = new EventHub();
  const handler = eventsHandler(hub, { maxSubscribers: 1 });
  const url = new URL("http://127.0.0.1/api/events");
  const request = new Request(url);
  const first = await handler(request, url);
  assertEquals(first.status, 200);
  const second = await handler(request, url);
  assertEquals(
    {
      status: second.status,
      retry: second.headers.get("retry-after"),
      body: await second.json(),
      refused: hub.refused,
      subscribers: hub.subscribers,
    },
    {
      status: 503,
      retry: "5",
      body: { error: "Cannot subscribe to /api/events: 1 subscribers already" },
      refused: 1,
      subscribers: 1,
    },
  );
  await first.body!.cancel();
  assertEquals(hub.subscribers, 0);
  const third = await handler(request, url);
  assertEquals(third.status, 200);
  await third.body!.cancel();
});

Deno.test("startAdmin() answers HEAD /api/events with the stream's headers and no subscriber left", async () => {
  const hub = new EventHub();
  const admin = startAdmin({
    host: "127.0.0.1",
    port: 0,
    routes: { "GET /api/events": eventsHandler(hub) },
  });
  try {
    const res = await fetch(`${admin.url}/api/events`, { method: "HEAD" });
    await res.body?.cancel();
    assertEquals(
      {
        status: res.status,
        type: res.headers.get("content-type"),
        subscribers: hub.subscribers,
      },
      {
        status: 200,
        type: "text/event-stream; charset=utf-8",
        subscribers: 0,
      },
    );
  } finally {
    await admin.close();
  }
});
