/**
 * Black-box tests of `cachelab origin --script FILE` with a good file,
 * spawned: the nth request to a path gets responses[n-1] and the last one
 * repeats, prefix rules count per path, the first matching rule wins,
 * rules come before /lab/ routes and files, HEAD gets no body, faults
 * (close, rst, slow) and delay; `--script` turns the lab on.
 */

import assert from "../../helpers/assert.ts";
import { LineProcess } from "../../helpers/cli_process.ts";
import { exchange, RawClient } from "../../helpers/raw_peer.ts";
import type { WireResponse } from "../../helpers/wire_text.ts";
import { HOST } from "./lab_origin.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;

const SCRIPT = {
  rules: [
    {
      path: "/seq",
      responses: [
        {
          status: 200,
          fields: { ETag: '"v1"', "Cache-Control": "max-age=0" },
          body: "one",
        },
        { status: 304, fields: { ETag: '"v1"' } },
        { status: 500, body: "boom" },
      ],
    },
    {
      path: "/pre/*",
      responses: [{ status: 201, body: "first" }, { body: "later" }],
    },
    { path: "/pre/exact", responses: [{ body: "never" }] },
    {
      path: "/multi",
      responses: [{ fields: { Vary: ["A", "B"], "X-C": "c" }, body: "m" }],
    },
    { path: "/empty", responses: [{}] },
    {
      path: "/head",
      responses: [{ body: "first" }, { status: 404, body: "second" }],
    },
    { path: "/close", responses: [{ fault: "close" }] },
    { path: "/rst", responses: [{ fault: "rst" }] },
    { path: "/slow", responses: [{ body: "abc", fault: "slow" }] },
    { path: "/delayed", responses: [{ delay: 20, body: "late" }] },
    { path: "/lab/headers", responses: [{ body: "scripted" }] },
    { path: "/1.txt", responses: [{ status: 203, body: "not the file" }] },
  ],
};

/** Sends each request on its own connection, in order; returns the responses. */
async function send(
  port: number,
  requests: [method: string, target: string][],
): Promise<WireResponse[]> {
  const out: WireResponse[] = [];
  for (const [method, target] of requests) {
    const { responses } = await exchange(
      { port },
      `${method} ${target} HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
      { methods: [method] },
    );
    assert.equal(responses.length, 1, `${method} ${target}`);
    out.push(responses[0]!);
  }
  return out;
}

Deno.test("main.ts origin --script answers each path's nth request from its rule", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-script-" });
  try {
    await Deno.writeTextFile(`${dir}/1.txt`, "hello\n");
    await Deno.writeTextFile(`${dir}/2.txt`, "two\n");
    const file = `${dir}/script.json`;
    await Deno.writeTextFile(file, JSON.stringify(SCRIPT, null, 2));
    await using origin = await LineProcess.cachelab([
      "origin",
      "0",
      "--root",
      dir,
      "--script",
      file,
      "--quiet",
    ]);
    const port = Number((await origin.waitFor(LISTENING))[1]);

    await t.step(
      "a sequence 200 with ETag, then 304, then 500 repeated",
      async () => {
        const r = await send(port, [
          ["GET", "/seq"],
          ["GET", "/seq"],
          ["GET", "/seq?x=1"],
          ["GET", "/seq"],
        ]);
        assert.deepEqual(r.map((x) => x.status), [200, 304, 500, 500]);
        assert.equal(r[0]!.head.header("etag"), '"v1"');
        assert.equal(r[0]!.head.header("cache-control"), "max-age=0");
        assert.equal(r[0]!.bodyText, "one");
        assert.equal(r[1]!.head.startLine, "HTTP/1.1 304 Not Modified");
        assert.equal(r[1]!.head.header("etag"), '"v1"');
        assert.deepEqual([r[2]!.bodyText, r[3]!.bodyText], ["boom", "boom"]);
      },
    );

    await t.step(
      "a prefix rule counts per path and wins as the first match",
      async () => {
        const r = await send(port, [
          ["GET", "/pre/a"],
          ["GET", "/pre/b/c"],
          ["GET", "/pre/a"],
          ["GET", "/pre/exact"],
          ["GET", "/pre/exact"],
          ["GET", "/prefix"],
        ]);
        assert.deepEqual(r.map((x) => [x.status, x.bodyText]).slice(0, 5), [
          [201, "first"],
          [201, "first"],
          [200, "later"],
          [201, "first"],
          [200, "later"],
        ]);
        assert.equal(r[5]!.status, 404, "/prefix is not under /pre/");
      },
    );

    await t.step(
      "fields keep their order and an array repeats the name; defaults are 200 and no body",
      async () => {
        const [multi, empty] = await send(port, [["GET", "/multi"], [
          "GET",
          "/empty",
        ]]);
        assert.deepEqual(
          multi!.head.fields.filter(([n]) => /^(vary|x-c)$/i.test(n)),
          [["Vary", "A"], ["Vary", "B"], ["X-C", "c"]],
        );
        assert.equal(multi!.bodyText, "m");
        assert.equal(empty!.head.startLine, "HTTP/1.1 200 OK");
        assert.equal(empty!.body.length, 0);
      },
    );

    await t.step("HEAD takes the nth response without its body", async () => {
      const { responses } = await exchange(
        { port },
        `HEAD /head HTTP/1.1\r\n${HOST}\r\nGET /head HTTP/1.1\r\n${HOST}` +
          "Connection: close\r\n\r\n",
        { methods: ["HEAD", "GET"] },
      );
      assert.deepEqual(responses.map((x) => x.status), [200, 404]);
      assert.equal(responses[0]!.body.length, 0);
      assert.equal(responses[1]!.bodyText, "second");
    });

    await t.step(
      "rules come before the /lab/ routes and the files",
      async () => {
        const r = await send(port, [["GET", "/lab/headers?X-A=1"], [
          "GET",
          "/1.txt",
        ], ["GET", "/2.txt"]]);
        assert.equal(r[0]!.bodyText, "scripted");
        assert.equal(r[0]!.head.header("x-a"), undefined);
        assert.deepEqual([r[1]!.status, r[1]!.bodyText], [203, "not the file"]);
        assert.deepEqual([r[2]!.status, r[2]!.bodyText], [200, "two\n"]);
      },
    );

    await t.step(
      "faults close and rst end the connection before any byte",
      async () => {
        for (
          const [path, expected] of [["/close", "close"], ["/rst", "reset"]]
        ) {
          using client = await RawClient.connect({ port });
          await client.write(`GET ${path} HTTP/1.1\r\n${HOST}\r\n`);
          const { text, end } = await client.readUntilClose();
          assert.equal(end, expected, path);
          assert.equal(text, "", path);
        }
      },
    );

    await t.step(
      "fault slow and a delay still deliver the whole body",
      async () => {
        const r = await send(port, [["GET", "/slow"], ["GET", "/delayed"]]);
        assert.deepEqual(r.map((x) => [x.status, x.bodyText]), [
          [200, "abc"],
          [200, "late"],
        ]);
      },
    );

    await t.step(
      "the lab is on: /lab/count saw the scripted paths",
      async () => {
        const [count, etag] = await send(port, [
          ["GET", "/lab/count?path=/seq"],
          ["GET", "/lab/etag/z"],
        ]);
        assert.equal(count!.bodyText, "4\n");
        assert.equal(etag!.head.header("etag"), '"z"');
      },
    );

    origin.signal("SIGTERM");
    assert.equal((await origin.finish()).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
