import { assertEquals } from "../helpers/assert.ts";
import { MemoryStore } from "../../cache/memory_store.ts";
import { emitPurge, EventHub, type ProxyEvent } from "../../proxy/events.ts";
import { resultIndex } from "../../proxy/durations.ts";
import { FileStore } from "../../cache/file_store.ts";
import type { Store } from "../../cache/store.ts";
import { bodyBytes, draft, put } from "../cache/store_helpers.ts";

Deno.test("EventHub.answered() emits a request event from an access-log entry when someone listens", () => {
  const hub = new EventHub();
  const seen: ProxyEvent[] = [];
  const entry = {
    remoteAddr: "127.0.0.1",
    time: 1000,
    requestLine: "GET /a?b=c HTTP/1.1",
    status: 200,
    bytes: 5,
    suffix: "- HIT",
  };
  hub.answered(entry, resultIndex(entry.suffix), 3); // nobody listens: nothing
  assertEquals(hub.listening, false);
  const stop = hub.subscribe((event) => seen.push(event));
  assertEquals(hub.listening, true);
  hub.answered(entry, resultIndex(entry.suffix), 3);
  hub.answered(
    { ...entry, requestLine: "CONNECT h:443 HTTP/1.1", suffix: undefined },
    resultIndex(undefined),
    9,
  );
  stop();
  hub.answered(entry, resultIndex(entry.suffix), 4);
  assertEquals(hub.listening, false);
  assertEquals(seen, [
    {
      type: "request",
      time: 1000,
      method: "GET",
      url: "/a?b=c",
      status: 200,
      result: "HIT",
      durationMs: 3,
    },
    {
      type: "request",
      time: 1000,
      method: "CONNECT",
      url: "h:443",
      status: 200,
      result: "NONE",
      durationMs: 9,
    },
  ]);
});

Deno.test("EventHub.emit() removes a subscriber that throws and keeps the others", () => {
  const hub = new EventHub();
  const seen: string[] = [];
  hub.subscribe(() => {
    throw new Error("broken");
  });
  hub.subscribe((event) => seen.push(event.type));
  emitPurge(hub, { target: { all: true }, purged: 2 });
  emitPurge(hub, { target: { prefix: "http://h/" }, purged: 0 });
  assertEquals(hub.subscribers, 1);
  assertEquals(seen, ["purge", "purge"]);
});

Deno.test("emitPurge() emits what a purge named and removed, and does nothing without a hub", () => {
  emitPurge(undefined, { target: { all: true }, purged: 1 }); // no hub: no error
  const hub = new EventHub();
  const seen: ProxyEvent[] = [];
  hub.subscribe((event) => seen.push(event));
  emitPurge(hub, { target: { url: "http://h/x" }, purged: 1 });
  assertEquals(seen.length, 1);
  const event = seen[0]!;
  assertEquals(event.type, "purge");
  if (event.type !== "purge") return;
  assertEquals(event.target, { url: "http://h/x" });
  assertEquals(event.purged, 1);
  assertEquals(typeof event.time, "number");
});

/** Stores a 6-byte then a 7-byte body under a 10-byte cap: the first is evicted. */
async function storeTwo(store: Store): Promise<ProxyEvent[]> {
  const hub = new EventHub();
  const seen: ProxyEvent[] = [];
  hub.subscribe((event) => seen.push(event));
  store.observer = hub;
  await put(store, draft("http://h/a"), bodyBytes(6));
  await put(store, draft("http://h/b"), bodyBytes(7));
  return seen;
}

const STORED_TWO = [
  ["store", "http://h/a", 6],
  ["store", "http://h/b", 7],
  ["eviction", "http://h/a", 6],
];

function summary(events: ProxyEvent[]): unknown[] {
  return events.map((e) =>
    e.type === "store" || e.type === "eviction"
      ? [e.type, e.url, e.bodySize]
      : [e.type]
  );
}

Deno.test("MemoryStore tells its observer of each commit and eviction", async () => {
  const store = new MemoryStore({ sizeBytes: 10 });
  assertEquals(summary(await storeTwo(store)), STORED_TWO);
  assertEquals(store.stats.evictions, 1);
  await store.close();
});

Deno.test("FileStore tells its observer of each commit and eviction", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FileStore.open(dir, {
      sizeBytes: 10,
      memoryBytes: 0,
      accounting: "body",
    });
    try {
      assertEquals(summary(await storeTwo(store)), STORED_TWO);
      assertEquals(store.stats.evictions, 1);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
