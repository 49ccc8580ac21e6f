/**
 * Wire tests of the admin listener as `cachelab proxy` wires it
 * (admin/launch.ts), with a real process in front of an in-process
 * origin: `/metrics` counting the proxy's requests, `/api/events`
 * streaming its requests (with their explanation), stores and purges,
 * and `/api/entry` explaining a stored variant. Counters and event
 * contents are the oracles; every wait is bounded.
 */

import assert from "../helpers/assert.ts";
import { LineProcess } from "../helpers/cli_process.ts";
import { withDeadline } from "../helpers/deadline.ts";
import { startTestServer, textResponse } from "../helpers/test_server.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on (http:\/\/127\.0\.0\.1:\d+)$/;

/** A real proxy (port 0, a temp cache folder) in front of an origin answering max-age=60. */
async function withProxy(
  body: (at: { proxy: string; admin: string }) => Promise<void>,
) {
  await using origin = startTestServer((req) =>
    Promise.resolve(
      textResponse(`body of ${req.head.target}`, 200, [[
        "Cache-Control",
        "max-age=60",
      ]]),
    )
  );
  const dir = await Deno.makeTempDir({ prefix: "cachelab-launch-" });
  try {
    await using child = await LineProcess.cachelab([
      "proxy",
      "0",
      String(origin.addr.port),
      "--cache-dir",
      dir,
      "--quiet",
    ]);
    const port = LISTENING.exec((await child.nextLine()) ?? "")?.[1];
    const admin = ADMIN.exec((await child.nextLine()) ?? "")?.[1];
    assert.ok(port && admin, `stdout: ${child.seen.join(" / ")}`);
    await body({ proxy: `http://127.0.0.1:${port}`, admin: admin! });
    child.signal("SIGTERM");
    assert.equal((await child.finish()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function get(url: string, init?: RequestInit): Promise<Response> {
  return await withDeadline(fetch(url, init), 10_000, `fetching ${url}`);
}

/** The samples of a metrics page, by name and labels. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** Reads SSE messages from a response body, one at a time. */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  constructor(res: Response) {
    this.#reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next message: its event name (or "comment") and its data parsed. */
  async next(): Promise<{ event: string; data: Record<string, unknown> }> {
    for (;;) {
      const end = this.#pending.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end + 2);
        if (block.startsWith(":")) return { event: "comment", data: {} };
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}");
        return { event, data };
      }
      const { value, done } = await withDeadline(
        this.#reader.read(),
        10_000,
        "waiting for an event",
      );
      if (done) throw new Error("Cannot read an event: the stream ended");
      this.#pending += value;
    }
  }

  /** Skips messages until one named `event`. */
  async until(event: string): Promise<Record<string, unknown>> {
    for (;;) {
      const message = await this.next();
      if (message.event === event) return message.data;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

Deno.test("startProxyWithAdmin() serves /metrics on the admin port of a real proxy, counting a miss, a hit and the store", async () => {
  await withProxy(async ({ proxy, admin }) => {
    for (let i = 0; i < 2; i++) await (await get(`${proxy}/a.txt`)).text();
    const res = await get(`${admin}/metrics`);
    assert.equal(
      res.headers.get("content-type"),
      "text/plain; version=0.0.4; charset=utf-8",
    );
    const got = samples(await res.text());
    assert.equal(got.get('cachelab_requests_total{result="MISS"}'), 1);
    assert.equal(got.get('cachelab_requests_total{result="HIT"}'), 1);
    assert.equal(got.get("cachelab_upstream_requests_total"), 1);
    assert.equal(got.get("cachelab_cache_entries"), 1);
    assert.equal(got.get("cachelab_event_subscribers"), 0);
    assert.equal(got.get("cachelab_events_dropped_total"), 0);
  });
});

Deno.test("startProxyWithAdmin() streams /api/events of a real proxy: the store, the requests with their explanation, a purge", async () => {
  await withProxy(async ({ proxy, admin }) => {
    const events = new EventReader(await get(`${admin}/api/events`));
    try {
      assert.equal((await events.next()).event, "comment"); // subscribed
      await (await get(`${proxy}/a.txt`)).text();
      const stored = await events.until("store");
      assert.equal(stored.url, `${proxy}/a.txt`);
      assert.equal(stored.bodySize, "body of /a.txt".length);
      const miss = await events.until("request");
      assert.equal(miss.result, "MISS");
      assert.equal(miss.url, "/a.txt");
      assert.match(String(miss.explanation), /^miss: .*stored.*\(RFC 9111 §/);
      await (await get(`${proxy}/a.txt`)).text();
      const hit = await events.until("request");
      assert.equal(hit.result, "HIT");
      assert.match(
        String(hit.explanation),
        /^fresh: age \d+ s = corrected initial age \d+ \+ resident \d+; lifetime 60 s from max-age; \d+ s left/,
      );
      const purge = await get(
        `${admin}/api/entries?url=${encodeURIComponent(`${proxy}/a.txt`)}`,
        { method: "DELETE" },
      );
      assert.deepEqual(await purge.json(), { purged: 1 });
      const purged = await events.until("purge");
      assert.deepEqual(purged.target, { url: `${proxy}/a.txt` });
      assert.equal(purged.purged, 1);
    } finally {
      await events.cancel();
    }
  });
});

Deno.test("startProxyWithAdmin() explains each variant in /api/entry: age terms, lifetime from max-age, seconds left", async () => {
  await withProxy(async ({ proxy, admin }) => {
    await (await get(`${proxy}/b.txt`)).text();
    const res = await get(
      `${admin}/api/entry?url=${encodeURIComponent(`${proxy}/b.txt`)}`,
    );
    const body = await res.json();
    assert.equal(body.variants.length, 1);
    const { explanation, ageSeconds, freshSeconds } = body.variants[0];
    assert.deepEqual(explanation.lifetime, { seconds: 60, source: "max-age" });
    assert.equal(explanation.age.currentAge, ageSeconds);
    assert.equal(explanation.remaining, 60 - explanation.age.currentAge);
    assert.ok(Math.abs(explanation.remaining - freshSeconds) <= 1);
  });
});
