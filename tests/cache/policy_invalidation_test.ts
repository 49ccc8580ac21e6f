import assert from "../helpers/assert.ts";
import type { Field } from "../../http/headers.ts";
import { invalidationTargets } from "../../cache/policy.ts";
import { fields } from "./policy_fixtures.ts";

const TARGET = "http://origin.test:8080/items/7?x=1";

function targets(method: string, status: number, res: Field[] = []): string[] {
  return invalidationTargets(method, TARGET, status, fields(...res));
}

Deno.test("invalidationTargets() invalidates the target after an unsafe method with a non-error status (RFC 9111 §4.4)", () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "PURGE", "get"]) {
    assert.deepEqual(targets(method, 200), [TARGET], method);
  }
  assert.deepEqual(targets("POST", 204), [TARGET]);
  assert.deepEqual(targets("POST", 303), [TARGET]);
});

Deno.test("invalidationTargets() does nothing for safe methods or error statuses (RFC 9111 §4.4)", () => {
  for (const method of ["GET", "HEAD", "OPTIONS", "TRACE"]) {
    assert.deepEqual(targets(method, 200), [], method);
  }
  for (const status of [100, 400, 404, 500, 503]) {
    assert.deepEqual(targets("POST", status), [], String(status));
  }
});

Deno.test("invalidationTargets() adds same-origin Location and Content-Location, resolved against the target (RFC 9111 §4.4)", () => {
  assert.deepEqual(
    targets("POST", 201, [["Location", "/items/8"], [
      "Content-Location",
      "7/view#top",
    ]]),
    [
      TARGET,
      "http://origin.test:8080/items/8",
      "http://origin.test:8080/items/7/view",
    ],
  );
  assert.deepEqual(
    targets("PUT", 200, [[
      "Content-Location",
      "http://ORIGIN.test:8080/items/7?x=1",
    ]]),
    [TARGET],
  );
});

Deno.test("invalidationTargets() ignores cross-origin and unparsable Location values (RFC 9111 §4.4)", () => {
  const rows: string[] = [
    "http://other.test:8080/items/8",
    "https://origin.test:8080/items/8",
    "http://origin.test:8081/items/8",
    "http://[bad",
  ];
  for (const location of rows) {
    assert.deepEqual(
      targets("POST", 302, [["Location", location]]),
      [TARGET],
      location,
    );
  }
});

Deno.test("invalidationTargets() returns nothing for an unparsable target", () => {
  assert.deepEqual(invalidationTargets("POST", "not a url", 200, fields()), []);
});

Deno.test("invalidationTargets() keys Location and Content-Location as a request for them would be keyed (RFC 9111 §4.4, §2)", () => {
  const rows: [string, string][] = [
    ["/a/%7e%2F", "http://origin.test:8080/a/%7e%2F"],
    ["/a?", "http://origin.test:8080/a?"],
    ["?y", "http://origin.test:8080/items/7?y"],
    ["../b/./c", "http://origin.test:8080/b/c"],
    ["HTTP://Origin.TEST:8080/c", "http://origin.test:8080/c"],
  ];
  for (const [location, key] of rows) {
    assert.deepEqual(
      targets("POST", 201, [["Location", location]]),
      [TARGET, key],
      location,
    );
  }
});

Deno.test("invalidationTargets() treats the default port as the same origin and refuses userinfo (RFC 9110 §4.2.3, §4.2.4)", () => {
  const target = "http://origin.test/items/7";
  const of = (location: string) =>
    invalidationTargets("PUT", target, 200, fields(["Location", location]));
  assert.deepEqual(of("http://origin.test:80/x"), [
    target,
    "http://origin.test/x",
  ]);
  assert.deepEqual(of("http://user@origin.test/x"), [target]);
  assert.deepEqual(of("//origin.test:8080/x"), [target]);
});
