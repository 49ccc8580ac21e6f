/**
 * End-to-end test of a vary-miss answered by a stored variant the origin
 * selects with a 304 (RFC 9111 §4.1, §4.3.1, §4.3.4), through the real
 * proxy process and its file store: the variant is filed for the new
 * request's Vary values with a copy of the body, on disk, and survives a
 * restart. An in-process origin that answers 304 to an If-None-Match
 * naming the page it would send; its record, curl and the cache folder
 * are the oracles.
 */

import assert from "../helpers/assert.ts";
import { countingUpstream } from "../helpers/cache_proxy.ts";
import { Lab, metaFiles, pollUntil } from "./helpers.ts";

const BODY = "an English page, long enough to be worth not sending twice\n";

Deno.test("cachelab proxy answers a vary-miss from the stored variant a 304 selects and files it for the new request on disk (RFC 9111 §4.1, §4.3.4)", async () => {
  await using origin = countingUpstream((req) => {
    const fields = [
      "Cache-Control: max-age=600",
      "Vary: Accept-Language",
      'ETag: "en"',
      "Content-Type: text/plain",
    ];
    if (req.head.header("if-none-match")?.includes('"en"')) {
      return ["HTTP/1.1 304 Not Modified", ...fields, "", ""].join("\r\n");
    }
    return [
      "HTTP/1.1 200 OK",
      ...fields,
      `Content-Length: ${BODY.length}`,
      "",
      BODY,
    ].join("\r\n");
  });
  await using lab = await Lab.create();
  const proxy = await lab.proxy(origin.port);
  // Host names the origin, so the key outlives the proxy's port.
  const host = `Host: 127.0.0.1:${origin.port}`;
  const url = proxy.url("/page");
  await lab.curl(url, { headers: [host, "Accept-Language: en"] });
  const gb = await lab.curl(url, {
    headers: [host, "Accept-Language: en-GB"],
  });
  assert.equal(gb.status, 200);
  assert.equal(gb.text, BODY);
  assert.match(
    gb.headers.get("cache-status") ?? "",
    /^cachelab; fwd=vary-miss; fwd-status=304; ttl=\d+$/,
  );
  assert.equal(origin.requests[1]!.head.header("if-none-match"), '"en"');
  await pollUntil(
    async () => (await metaFiles(lab.cacheDir)).length === 2,
    "the en-GB variant on disk",
  );
  await proxy.stop();
  const again = await lab.proxy(origin.port);
  const hit = await lab.curl(again.url("/page"), {
    headers: [host, "Accept-Language: en-GB"],
  });
  assert.match(hit.headers.get("cache-status") ?? "", /^cachelab; hit/);
  assert.equal(hit.text, BODY);
  assert.equal(origin.requests.length, 2);
});
