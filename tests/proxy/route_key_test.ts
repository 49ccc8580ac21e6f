import assert from "../helpers/assert.ts";
import { routeKey } from "../../proxy/route_key.ts";
import type { Route } from "../../proxy/target.ts";

type HttpRoute = Extract<Route, { kind: "reverse" | "forward" }>;

const SELF: Deno.NetAddr = {
  transport: "tcp",
  hostname: "127.0.0.1",
  port: 12345,
};

function reverse(authority: string, path = "/p"): HttpRoute {
  return { kind: "reverse", host: "127.0.0.1", port: 20000, path, authority };
}

/** [Host of a reverse request, its key]. */
const REVERSE: [string, string][] = [
  ["127.0.0.1:20000", "http://127.0.0.1:20000/p"],
  ["127.1:20000", "http://127.1:20000/p"],
  ["0x7f.0.0.1:20000", "http://0x7f.0.0.1:20000/p"],
  ["localhost:12345", "http://localhost:12345/p"],
  ["127.0.0.1:12345", "http://127.0.0.1:12345/p"],
  ["LOCALHOST.:12345", "http://localhost.:12345/p"],
  ["bank.example", "http://bank.example/p via 127.0.0.1:20000"],
  ["127.0.0.1:20001", "http://127.0.0.1:20001/p via 127.0.0.1:20000"],
  ["localhost:20000", "http://localhost:20000/p via 127.0.0.1:20000"],
];

for (const [host, key] of REVERSE) {
  Deno.test(`routeKey() keys a reverse request with Host ${host} as ${key} (RFC 9111 §2)`, () => {
    assert.equal(routeKey(reverse(host), SELF), key);
  });
}

Deno.test("routeKey() keys a forward request by its URI alone: it is fetched from the host it names (RFC 9111 §2)", () => {
  const forward: HttpRoute = {
    kind: "forward",
    host: "bank.example",
    port: 80,
    path: "/p",
    authority: "bank.example",
  };
  assert.equal(routeKey(forward, SELF), "http://bank.example/p");
  assert.notEqual(
    routeKey(reverse("bank.example"), SELF),
    "http://bank.example/p",
  );
});

Deno.test("routeKey() is undefined for OPTIONS * (no target URI)", () => {
  assert.equal(routeKey(reverse("a.example", "*"), SELF), undefined);
});
