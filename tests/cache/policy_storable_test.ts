import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import {
  type NotStoredDetail,
  storability,
  type StoreOptions,
} from "../../cache/policy.ts";
import { fields } from "./policy_fixtures.ts";

const OPTS: StoreOptions = { maxObjectBytes: 1000, skipBinary: false };
const LM: Field = ["Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"];

interface Row {
  name: string;
  method?: string;
  req?: Field[];
  status?: number;
  res: Field[];
  opts?: Partial<StoreOptions>;
  expect: true | NotStoredDetail;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    const got = storability(
      row.method ?? "GET",
      fields(...(row.req ?? [])),
      row.status ?? 200,
      fields(...row.res),
      { ...OPTS, ...row.opts },
    );
    const expected = row.expect === true
      ? { storable: true }
      : { storable: false, detail: row.expect };
    assert.deepEqual(got, expected, row.name);
  }
}

Deno.test("storability() stores GET only; HEAD and unsafe methods are not stored as their own (RFC 9111 §3)", () => {
  check([
    { name: "GET", res: [["Cache-Control", "max-age=60"]], expect: true },
    {
      name: "HEAD",
      method: "HEAD",
      res: [["Cache-Control", "max-age=60"]],
      expect: "method",
    },
    {
      name: "POST",
      method: "POST",
      res: [["Cache-Control", "max-age=60"]],
      expect: "method",
    },
    {
      name: "lowercase get",
      method: "get",
      res: [["Cache-Control", "max-age=60"]],
      expect: "method",
    },
  ]);
});

Deno.test("storability() stores any final status with explicit freshness or public, never 206, 304 or 1xx (RFC 9111 §3, §3.3, §4.3.4)", () => {
  const explicit: Field[] = [["Cache-Control", "max-age=60"]];
  check([
    { name: "200", status: 200, res: explicit, expect: true },
    { name: "301", status: 301, res: [], expect: true },
    { name: "302 explicit", status: 302, res: explicit, expect: true },
    { name: "404 heuristic", status: 404, res: [], expect: true },
    { name: "100", status: 100, res: explicit, expect: "status" },
    { name: "206", status: 206, res: explicit, expect: "status" },
    { name: "304", status: 304, res: explicit, expect: "status" },
    { name: "500 explicit", status: 500, res: explicit, expect: true },
    { name: "599 unknown explicit", status: 599, res: explicit, expect: true },
    { name: "500 no freshness", status: 500, res: [], expect: "no-freshness" },
    { name: "302 no freshness", status: 302, res: [], expect: "no-freshness" },
  ]);
});

Deno.test("storability() refuses no-store in the request or the response (RFC 9111 §5.2.1.5, §5.2.2.5)", () => {
  check([
    {
      name: "request no-store",
      req: [["Cache-Control", "no-store"]],
      res: [["Cache-Control", "max-age=60"]],
      expect: "no-store",
    },
    {
      name: "response no-store",
      res: [["Cache-Control", "max-age=60, no-store"]],
      expect: "no-store",
    },
    {
      name: "response NO-STORE on a second line",
      res: [["Cache-Control", "max-age=60"], ["Cache-Control", "NO-STORE"]],
      expect: "no-store",
    },
  ]);
});

Deno.test("storability() lets must-understand override no-store for an understood status (RFC 9111 §5.2.2.3)", () => {
  check([
    {
      name: "200 must-understand no-store",
      res: [["Cache-Control", "max-age=60, must-understand, no-store"]],
      expect: true,
    },
    {
      name: "unknown status must-understand",
      status: 299,
      res: [["Cache-Control", "max-age=60, must-understand, no-store"]],
      expect: "status",
    },
  ]);
});

Deno.test("storability() refuses an unqualified private and stores a qualified one, whose fields draftOf() leaves out (RFC 9111 §5.2.2.7)", () => {
  check([
    {
      name: "private",
      res: [["Cache-Control", "private, max-age=60"]],
      expect: "private",
    },
    {
      name: "private=field",
      res: [["Cache-Control", 'private="Set-Cookie", max-age=60']],
      expect: true,
    },
    {
      name: "private and private=field",
      res: [["Cache-Control", 'private, private="X-A", max-age=60']],
      expect: "private",
    },
    {
      name: 'private=""',
      res: [["Cache-Control", 'private="", max-age=60']],
      expect: "private",
    },
  ]);
});

Deno.test("storability() stores an Authorization request only with public, s-maxage or must-revalidate (RFC 9111 §3.5)", () => {
  const auth: Field[] = [["Authorization", "Basic YTpi"]];
  check([
    {
      name: "max-age only",
      req: auth,
      res: [["Cache-Control", "max-age=60"]],
      expect: "authorization",
    },
    { name: "no directives", req: auth, res: [], expect: "authorization" },
    {
      name: "public",
      req: auth,
      res: [["Cache-Control", "public, max-age=60"]],
      expect: true,
    },
    {
      name: "s-maxage",
      req: auth,
      res: [["Cache-Control", "s-maxage=60"]],
      expect: true,
    },
    {
      name: "must-revalidate",
      req: auth,
      res: [["Cache-Control", "must-revalidate"], LM],
      expect: true,
    },
  ]);
});

Deno.test("storability() refuses Vary: * (RFC 9111 §4.1)", () => {
  check([
    {
      name: "*",
      res: [["Cache-Control", "max-age=60"], ["Vary", "*"]],
      expect: "vary-star",
    },
    {
      name: "list with *",
      res: [["Cache-Control", "max-age=60"], ["Vary", "Accept-Encoding, *"]],
      expect: "vary-star",
    },
    {
      name: "named fields",
      res: [["Cache-Control", "max-age=60"], ["Vary", "Accept-Encoding"]],
      expect: true,
    },
  ]);
});

Deno.test("storability() needs explicit freshness or a heuristically cacheable status (RFC 9111 §3, §4.2.2)", () => {
  check([
    { name: "302 bare", status: 302, res: [], expect: "no-freshness" },
    { name: "307 bare", status: 307, res: [LM], expect: "no-freshness" },
    {
      name: "302 Expires",
      status: 302,
      res: [["Expires", "Mon, 01 Jan 2024 00:00:00 GMT"]],
      expect: true,
    },
    {
      name: "302 public",
      status: 302,
      res: [["Cache-Control", "public"]],
      expect: true,
    },
    {
      name: "302 s-maxage",
      status: 302,
      res: [["Cache-Control", "s-maxage=5"]],
      expect: true,
    },
    {
      name: "302 invalid max-age still a max-age directive",
      status: 302,
      res: [["Cache-Control", "max-age=x"]],
      expect: true,
    },
    { name: "200 bare", status: 200, res: [], expect: true },
    { name: "410 bare", status: 410, res: [], expect: true },
  ]);
});

Deno.test("storability() stores the origin's no-cache response with Last-Modified, to revalidate it (RFC 9111 §5.2.2.4)", () => {
  check([
    {
      name: "no-cache + Last-Modified",
      res: [["Cache-Control", "no-cache"], LM],
      expect: true,
    },
    {
      name: "no-cache + ETag",
      res: [["Cache-Control", "no-cache"], ["ETag", '"v1"']],
      expect: true,
    },
    {
      name: "no-cache without validator can never be reused",
      res: [["Cache-Control", "no-cache"]],
      expect: "no-validator",
    },
  ]);
});

Deno.test("storability() refuses a Content-Length above maxObjectBytes", () => {
  check([
    {
      name: "equal",
      res: [["Content-Length", "1000"]],
      expect: true,
    },
    {
      name: "above",
      res: [["Content-Length", "1001"]],
      expect: "too-large",
    },
    {
      name: "above, with leading zeros",
      res: [["Content-Length", "0001001"]],
      expect: "too-large",
    },
    {
      name: "equal, with leading zeros",
      res: [["Content-Length", "01000"]],
      expect: true,
    },
    {
      name: "chunked (no length) is left to the handler",
      res: [],
      expect: true,
    },
  ]);
});

Deno.test("storability() refuses binary media types only with skipBinary", () => {
  const skip = { skipBinary: true };
  check([
    {
      name: "png skipped",
      res: [["Content-Type", "image/png"]],
      opts: skip,
      expect: "binary",
    },
    {
      name: "png stored without skipBinary",
      res: [["Content-Type", "image/png"]],
      expect: true,
    },
    {
      name: "text stored",
      res: [["Content-Type", "text/plain; charset=utf-8"]],
      opts: skip,
      expect: true,
    },
    {
      name: "missing type with content is octet-stream",
      res: [["Content-Length", "5"]],
      opts: skip,
      expect: "binary",
    },
    {
      name: "204 has no content to judge",
      status: 204,
      res: [],
      opts: skip,
      expect: true,
    },
    {
      name: "empty body has no content to judge",
      status: 301,
      res: [["Content-Length", "0"]],
      opts: skip,
      expect: true,
    },
    {
      name: "Content-Length 00 is an empty body too (a number, not text)",
      status: 301,
      res: [["Content-Length", "00"]],
      opts: skip,
      expect: true,
    },
  ]);
});

Deno.test("storability() refuses a body still carrying a transfer coding the proxy cannot decode, and stores decoded ones (RFC 9111 §3.1)", () => {
  const ok: [string, string][] = [["Cache-Control", "max-age=60"]];
  check([
    {
      name: "x-weird, chunked",
      res: [...ok, ["Transfer-Encoding", "x-weird, chunked"]],
      expect: "transfer-coding",
    },
    {
      name: "compress until close",
      res: [...ok, ["Transfer-Encoding", "compress"]],
      expect: "transfer-coding",
    },
    {
      name: "gzip, decoded",
      res: [...ok, ["Transfer-Encoding", "gzip"]],
      expect: true,
    },
    {
      name: "chunked only",
      res: [...ok, ["Transfer-Encoding", "chunked"]],
      expect: true,
    },
  ]);
});

Deno.test("storability() refuses a response that sets a cookie, even a public one (RFC 9111 §7.3, as nginx and Varnish do)", () => {
  check([
    {
      name: "Set-Cookie",
      res: [["Cache-Control", "max-age=60"], ["Set-Cookie", "id=1"]],
      expect: "set-cookie",
    },
    {
      name: "public with Set-Cookie",
      res: [["Cache-Control", "public, max-age=60"], ["Set-Cookie", "a=b"]],
      expect: "set-cookie",
    },
    { name: "no cookie", res: [["Cache-Control", "max-age=60"]], expect: true },
  ]);
});
