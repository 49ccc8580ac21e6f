import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  currentAge,
  entryTimes,
  freshnessLifetime,
} from "../../cache/policy.ts";
import { at, dateAt, fields, stored, T0 } from "./policy_fixtures.ts";

function lifetime(res: Field[], status = 200, responseAt = 0): number {
  return freshnessLifetime(status, fields(...res), at(responseAt));
}

Deno.test("freshnessLifetime() takes s-maxage over max-age over Expires (RFC 9111 §4.2.1)", () => {
  const expires: Field = ["Expires", dateAt(300)];
  const date: Field = ["Date", dateAt(0)];
  assert.equal(
    lifetime([["Cache-Control", "max-age=60, s-maxage=90"], expires, date]),
    90,
  );
  assert.equal(lifetime([["Cache-Control", "max-age=60"], expires, date]), 60);
  assert.equal(lifetime([expires, date]), 300);
});

Deno.test("freshnessLifetime() is Expires minus Date, or minus the receipt time without Date (RFC 9111 §4.2.1)", () => {
  assert.equal(
    lifetime([["Expires", dateAt(300)], ["Date", dateAt(100)]]),
    200,
  );
  assert.equal(lifetime([["Expires", dateAt(300)]], 200, 50), 250);
  assert.equal(lifetime([["Expires", dateAt(10)], ["Date", dateAt(100)]]), 0);
});

Deno.test("freshnessLifetime() treats invalid Expires as already expired (RFC 9111 §5.3)", () => {
  const date: Field = ["Date", dateAt(0)];
  assert.equal(lifetime([["Expires", "0"], date]), 0);
  assert.equal(lifetime([["Expires", "-1"], date]), 0);
  assert.equal(lifetime([["Expires", "tomorrow"], date]), 0);
  assert.equal(
    lifetime([["Expires", dateAt(300)], ["Expires", dateAt(600)], date]),
    0,
  );
});

Deno.test("freshnessLifetime() treats an invalid max-age as stale and ignores Expires then (RFC 9111 §4.2.1, §5.3)", () => {
  const expires: Field = ["Expires", dateAt(300)];
  assert.equal(lifetime([["Cache-Control", "max-age=soon"], expires]), 0);
  assert.equal(
    lifetime([["Cache-Control", "max-age=5, max-age=9"], expires]),
    0,
  );
  assert.equal(lifetime([["Cache-Control", "s-maxage=-1, max-age=60"]]), 0);
});

Deno.test("freshnessLifetime() is 0 for an unqualified no-cache and ignores the qualified form (RFC 9111 §5.2.2.4)", () => {
  assert.equal(lifetime([["Cache-Control", "no-cache, max-age=60"]]), 0);
  assert.equal(
    lifetime([["Cache-Control", 'no-cache="Set-Cookie", max-age=60']]),
    60,
  );
  assert.equal(
    lifetime([[
      "Cache-Control",
      'no-cache="Set-Cookie", no-cache, max-age=60',
    ]]),
    0,
  );
  assert.equal(lifetime([["Cache-Control", 'no-cache="", max-age=60']]), 0);
});

Deno.test("freshnessLifetime() uses 10% of Date minus Last-Modified, capped at one day (RFC 9111 §4.2.2)", () => {
  const date: Field = ["Date", dateAt(0)];
  assert.equal(lifetime([date, ["Last-Modified", dateAt(-1000)]]), 100);
  assert.equal(
    lifetime([date, ["Last-Modified", dateAt(-10 * 86400 * 10)]]),
    86400,
  );
  assert.equal(lifetime([date, ["Last-Modified", dateAt(10)]]), 0);
  assert.equal(lifetime([date, ["Last-Modified", "garbage"]]), 0);
  assert.equal(lifetime([date]), 0);
});

Deno.test("freshnessLifetime() applies the heuristic only to heuristically cacheable statuses or public (RFC 9111 §4.2.2)", () => {
  const lm: Field[] = [["Date", dateAt(0)], ["Last-Modified", dateAt(-1000)]];
  assert.equal(lifetime(lm, 404), 100);
  assert.equal(lifetime(lm, 302), 0);
  assert.equal(lifetime([...lm, ["Cache-Control", "public"]], 302), 100);
  assert.equal(lifetime([...lm, ["Cache-Control", "max-age=7"]]), 7);
});

Deno.test("entryTimes() computes corrected_initial_age from Age, Date and the response delay (RFC 9111 §4.2.3)", () => {
  const cases: {
    name: string;
    res: Field[];
    req: number;
    resp: number;
    age: number;
  }[] = [
    // apparent_age = 1, response_delay = 2, corrected_age_value = 0 + 2
    { name: "delay wins", res: [["Date", dateAt(1)]], req: 0, resp: 2, age: 2 },
    // apparent_age = 11, corrected_age_value = 30 + 1
    {
      name: "Age wins",
      res: [["Date", dateAt(-10)], ["Age", "30"]],
      req: 0,
      resp: 1,
      age: 31,
    },
    // origin clock 100 s behind: apparent_age = 100
    {
      name: "Date skew",
      res: [["Date", dateAt(-100)]],
      req: 0,
      resp: 0,
      age: 100,
    },
    // origin clock ahead: apparent_age = max(0, negative) = 0
    {
      name: "Date ahead",
      res: [["Date", dateAt(50)]],
      req: 0,
      resp: 0,
      age: 0,
    },
    // RFC 9111 §5.1: invalid Age ignored; a list uses its first member
    { name: "bad Age", res: [["Age", "abc"]], req: 0, resp: 0, age: 0 },
    { name: "Age list", res: [["Age", "10, 20"]], req: 0, resp: 0, age: 10 },
    // sub-second delays round down
    { name: "fast", res: [], req: 0, resp: 0.9, age: 0 },
  ];
  for (const c of cases) {
    const times = entryTimes(200, fields(...c.res), at(c.req), at(c.resp));
    assert.equal(times.correctedInitialAge, c.age, c.name);
  }
});

Deno.test("entryTimes() sets freshUntil to responseTime + (lifetime - corrected_initial_age) (RFC 9111 §4.2.1, §4.2.3)", () => {
  const t = entryTimes(
    200,
    fields(["Cache-Control", "max-age=60"], ["Age", "10"]),
    at(0),
    at(1),
  );
  assert.equal(t.correctedInitialAge, 11);
  assert.equal(t.freshUntil, at(1 + 60 - 11));
});

Deno.test("entryTimes() keeps Expires/Date consistent under origin clock skew (RFC 9111 §4.2.1, §4.2.3)", () => {
  // The origin's clock is 100 s behind: Date and Expires are both on it.
  const t = entryTimes(
    200,
    fields(["Date", dateAt(-100)], ["Expires", dateAt(200)]),
    at(0),
    at(0),
  );
  assert.equal(t.correctedInitialAge, 100);
  assert.equal(t.freshUntil, at(300 - 100));
});

Deno.test("entryTimes() makes a response stale at once when its age exceeds its lifetime (RFC 9111 §4.2)", () => {
  const t = entryTimes(
    200,
    fields(["Cache-Control", "max-age=60"], ["Age", "100"]),
    at(0),
    at(0),
  );
  assert.ok(t.freshUntil <= at(0));
});

Deno.test("entryTimes() keeps a revalidatable entry until evicted, else until its stale window ends (RFC 9111 §4.3.1, RFC 5861)", () => {
  const cases: { name: string; res: Field[]; keep: number | null }[] = [
    {
      name: "ETag",
      res: [["Cache-Control", "max-age=10"], ["ETag", '"a"']],
      keep: null,
    },
    {
      name: "Last-Modified",
      res: [["Cache-Control", "max-age=10"], ["Last-Modified", dateAt(-5)]],
      keep: null,
    },
    {
      name: "no validator",
      res: [["Cache-Control", "max-age=10"]],
      keep: at(10),
    },
    {
      name: "swr and sie",
      res: [[
        "Cache-Control",
        "max-age=10, stale-while-revalidate=30, stale-if-error=60",
      ]],
      keep: at(70),
    },
    {
      name: "must-revalidate forbids stale",
      res: [[
        "Cache-Control",
        "max-age=10, stale-if-error=60, must-revalidate",
      ]],
      keep: at(10),
    },
  ];
  for (const c of cases) {
    assert.equal(
      entryTimes(200, fields(...c.res), T0, T0).keepUntil,
      c.keep,
      c.name,
    );
  }
});

Deno.test("currentAge() adds whole resident seconds to corrected_initial_age (RFC 9111 §4.2.3)", () => {
  const entry = stored({
    headers: [["Age", "5"], ["Cache-Control", "max-age=60"]],
  });
  assert.equal(currentAge(entry, at(0)), 5);
  assert.equal(currentAge(entry, at(0.999)), 5);
  assert.equal(currentAge(entry, at(42)), 47);
  assert.equal(currentAge(entry, at(-3)), 5); // a clock step back never lowers the age
});

Deno.test("freshnessLifetime() reads Expires and Date leniently: any letter case, rfc850 and asctime forms (RFC 9111 §4.2, RFC 9110 §5.6.7)", () => {
  const lower = (value: string) => value.toLowerCase();
  assert.equal(
    lifetime([["Expires", lower(dateAt(300))], ["Date", lower(dateAt(100))]]),
    200,
  );
  assert.equal(
    lifetime([["Expires", dateAt(300).toUpperCase()], ["Date", dateAt(100)]]),
    200,
  );
  // The same instants in the two obsolete forms (RFC 9110 §5.6.7).
  const days: Record<string, string> = {
    Sun: "Sunday",
    Mon: "Monday",
    Tue: "Tuesday",
    Wed: "Wednesday",
    Thu: "Thursday",
    Fri: "Friday",
    Sat: "Saturday",
  };
  const parts = (imf: string) => {
    const m = /^(\w{3}), (\d{2}) (\w{3}) (\d{4}) ([\d:]{8}) GMT$/.exec(imf);
    if (!m) throw new Error(`not an IMF-fixdate: ${imf}`);
    const [, wkd = "", dd = "", mon = "", yyyy = "", time = ""] = m;
    return { wkd, dd, mon, yyyy, time };
  };
  const rfc850 = (imf: string) => {
    const { wkd, dd, mon, yyyy, time } = parts(imf);
    return `${days[wkd]}, ${dd}-${mon}-${yyyy.slice(2)} ${time} gmt`;
  };
  const asctime = (imf: string) => {
    const { wkd, dd, mon, yyyy, time } = parts(imf);
    return `${wkd} ${mon} ${
      String(Number(dd)).padStart(2, " ")
    } ${time} ${yyyy}`;
  };
  const expires = dateAt(300);
  const date = dateAt(100);
  assert.equal(
    lifetime([["Expires", rfc850(expires)], ["Date", asctime(date)]]),
    200,
  );
});
