/**
 * Found by the review of issue 12: the admin listener "is never reachable through the proxy
 * port: an absolute-form or CONNECT request for its address, in any
 * spelling, gets 403" (README). With `--admin-host 0.0.0.0` the admin
 * listener also listens on this machine's other addresses; a request
 * through the proxy port for one of them must be refused too. Real
 * processes; the machine's address comes from `hostname -I`.
 */

import assert from "../helpers/assert.ts";
import { LineProcess, runToEnd } from "../helpers/cli_process.ts";
import { exchange } from "../helpers/raw_peer.ts";

const LISTENING = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/;
const ADMIN = /^admin on http:\/\/0\.0\.0\.0:(\d+)$/;

/** This machine's first IPv4 address other than the loopback. */
async function interfaceAddress(): Promise<string> {
  const { stdout } = await runToEnd("hostname", ["-I"]);
  const address = stdout.split(/\s+/).find((a) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith("127.")
  );
  if (!address) throw new Error("Cannot test: no non-loopback IPv4 address");
  return address;
}

Deno.test("main.ts proxy --admin-host 0.0.0.0 refuses with 403 an absolute-form request for its admin port at the machine's own address", async () => {
  const address = await interfaceAddress();
  const dir = await Deno.makeTempDir({ prefix: "cachelab-r12-" });
  try {
    await using proxy = await LineProcess.cachelab([
      "proxy",
      "0",
      "--cache-dir",
      dir,
      "--quiet",
      "--admin-host",
      "0.0.0.0",
    ]);
    const port = Number(LISTENING.exec((await proxy.nextLine()) ?? "")?.[1]);
    const adminPort = Number(ADMIN.exec((await proxy.nextLine()) ?? "")?.[1]);
    assert.ok(port > 0 && adminPort > 0, "the proxy printed both addresses");
    const target = `${address}:${adminPort}`;
    const { responses } = await exchange(
      { hostname: "127.0.0.1", port },
      `GET http://${target}/api/entries HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`,
      { responses: 1 },
    );
    assert.equal(
      responses[0]!.status,
      403,
      `the admin listener answered through the proxy port: ${
        responses[0]!.bodyText
      }`,
    );
    proxy.signal("SIGTERM");
    await proxy.finish();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
