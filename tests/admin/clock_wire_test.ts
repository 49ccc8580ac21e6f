/**
 * Wire tests of the clock endpoints (admin/clock.ts) on a real admin
 * listener (startAdmin, port 0): GET and POST /api/clock over a movable
 * clock and over the real one, the refusals, and the `clock` event.
 */

import assert from "../helpers/assert.ts";
import { clockRoutes, MAX_CLOCK_BODY_BYTES } from "../../admin/clock.ts";
import { startAdmin } from "../../admin/server.ts";
import { type Clock, MovableClock, realClock } from "../../http/clock.ts";
import { EventHub, type ProxyEvent } from "../../proxy/events.ts";

function listen(clock: Clock, events?: EventHub) {
  return startAdmin({
    host: "127.0.0.1",
    port: 0,
    routes: clockRoutes({ clock, events }),
  });
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = { "Content-Type": "application/json" },
) {
  const res = await fetch(`${url}/api/clock`, {
    method: "POST",
    headers,
    body,
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("GET /api/clock shows a movable clock's time and offset, and POST {advance} moves it forward", async () => {
  const clock = new MovableClock();
  const admin = listen(clock);
  try {
    const before = Date.now();
    const shown = await (await fetch(`${admin.url}/api/clock`)).json();
    assert.equal(shown.offsetSeconds, 0);
    assert.equal(shown.movable, true);
    assert.ok(shown.now >= before && shown.now <= Date.now());
    const moved = await post(admin.url, '{"advance": 90}');
    assert.equal(moved.status, 200);
    assert.equal(moved.body.offsetSeconds, 90);
    assert.equal(moved.body.movable, true);
    assert.ok(moved.body.now >= before + 90_000);
    assert.ok(moved.body.now <= Date.now() + 90_000);
    const again = await post(admin.url, '{"advance": 0.5}');
    assert.equal(again.body.offsetSeconds, 90.5);
    assert.equal(clock.offsetSeconds, 90.5);
    const read = await (await fetch(`${admin.url}/api/clock`)).json();
    assert.equal(read.offsetSeconds, 90.5);
  } finally {
    await admin.close();
  }
});

Deno.test("POST /api/clock answers 409 and moves nothing when the proxy runs on the real clock", async () => {
  const admin = listen(realClock);
  try {
    const shown = await (await fetch(`${admin.url}/api/clock`)).json();
    assert.equal(shown.movable, false);
    assert.equal(shown.offsetSeconds, 0);
    const refused = await post(admin.url, '{"advance": 30}');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, /^Cannot move the clock: .*real clock/);
    const after = await (await fetch(`${admin.url}/api/clock`)).json();
    assert.equal(after.offsetSeconds, 0);
  } finally {
    await admin.close();
  }
});

Deno.test("POST /api/clock answers 400 with a reason and moves nothing when the body is not {advance: SECONDS above 0}", async () => {
  const clock = new MovableClock();
  const admin = listen(clock);
  try {
    const cases: [string, RegExp][] = [
      ["", /not JSON/],
      ["{advance: 1}", /not JSON/],
      ["[1]", /JSON object/],
      ["{}", /"advance" is missing/],
      ['{"advance": 1, "back": 2}', /unknown field "back"/],
      ['{"advance": "60"}', /finite number/],
      ['{"advance": 0}', /above 0/],
      ['{"advance": -5}', /only moves forward/],
      ['{"advance": 1e300}', /at most/],
      [`{"advance": ${"1".padStart(MAX_CLOCK_BODY_BYTES, "0")}}`, /larger/],
    ];
    for (const [body, reason] of cases) {
      const res = await post(admin.url, body);
      assert.equal(res.status, 400, body);
      assert.match(res.body.error, /^Cannot move the clock: /, body);
      assert.match(res.body.error, reason, body);
    }
    assert.equal(clock.offsetSeconds, 0);
  } finally {
    await admin.close();
  }
});

Deno.test("POST /api/clock refuses a body that is not declared JSON (415) and another origin's page (403)", async () => {
  const clock = new MovableClock();
  const admin = listen(clock);
  try {
    const plain = await post(admin.url, '{"advance": 10}', {
      "Content-Type": "text/plain",
    });
    assert.equal(plain.status, 415);
    const other = await post(admin.url, '{"advance": 10}', {
      "Content-Type": "application/json",
      "Origin": "http://evil.example",
    });
    assert.equal(other.status, 403);
    assert.equal(clock.offsetSeconds, 0);
    const own = await post(admin.url, '{"advance": 10}', {
      "Content-Type": "application/json; charset=utf-8",
      "Origin": admin.url,
    });
    assert.equal(own.status, 200);
    assert.equal(clock.offsetSeconds, 10);
  } finally {
    await admin.close();
  }
});

Deno.test("POST /api/clock emits a clock event with the new time and offset when someone listens", async () => {
  const clock = new MovableClock();
  const hub = new EventHub(clock);
  const seen: ProxyEvent[] = [];
  const stop = hub.subscribe((event) => seen.push(event));
  const admin = listen(clock, hub);
  try {
    const moved = await post(admin.url, '{"advance": 3600}');
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0], {
      type: "clock",
      time: moved.body.now,
      offsetSeconds: 3600,
    });
  } finally {
    stop();
    await admin.close();
  }
});

Deno.test("POST /api/clock answers 400 with a reason and moves nothing when the move would pass year 9999", async () => {
  const clock = new MovableClock();
  const admin = listen(clock);
  try {
    let last = await post(admin.url, '{"advance": 315360000}');
    for (let i = 0; i < 1000 && last.status === 200; i++) {
      last = await post(admin.url, '{"advance": 315360000}');
    }
    assert.equal(last.status, 400);
    assert.match(last.body.error, /^Cannot advance the clock: .*9999/);
    const offset = clock.offsetSeconds;
    assert.equal((await post(admin.url, '{"advance": 315360000}')).status, 400);
    assert.equal(clock.offsetSeconds, offset);
    assert.ok(new Date(clock.now()).getUTCFullYear() <= 9999);
  } finally {
    await admin.close();
  }
});
