/**
 * Tests rendering the contenders' configs (scripts/bench/configs.ts and
 * the prepare step of scripts/bench/proxies.ts) into a temp folder.
 */

import assert from "../helpers/assert.ts";
import { renderTemplate } from "../../scripts/bench/configs.ts";
import {
  CACHE_MIB,
  MAX_OBJECT_MIB,
  passwdIds,
  PROXIES,
  type ProxySpec,
} from "../../scripts/bench/proxies.ts";

Deno.test("renderTemplate() replaces every placeholder, also repeated ones", () => {
  assert.equal(
    renderTemplate("listen {{HOST}}:{{PORT}}; root {{HOST}};", {
      HOST: "127.0.0.1",
      PORT: 8080,
    }),
    "listen 127.0.0.1:8080; root 127.0.0.1;",
  );
});

Deno.test("renderTemplate() names every placeholder without a value when it throws", () => {
  assert.throws(
    () => renderTemplate("{{A}} {{B}} {{C}}", { B: 1 }, "x.conf"),
    { message: "Cannot render x.conf: no value for {{A}}, {{C}}" },
  );
});

function spec(name: string): ProxySpec {
  const found = PROXIES.find((p) => p.name === name);
  assert.ok(found, name);
  return found;
}

/** Runs `name`'s prepare step in a temp folder; returns the command and the config text. */
async function prepared(
  name: string,
  configFile: string,
): Promise<{ command: string[]; config: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  try {
    const command = await spec(name).prepare({
      dir,
      port: 41001,
      originPort: 41002,
      programs: {
        nginx: "/usr/sbin/nginx",
        varnishd: "/usr/sbin/varnishd",
        squid: "/usr/sbin/squid",
      },
    });
    const config = await Deno.readTextFile(`${dir}/${configFile}`);
    return { command, config, dir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("nginx's config caches in its own folder with tcp_nopush off and the worker count asked for", async () => {
  const one = await prepared("nginx-1w", "nginx.conf");
  assert.doesNotMatch(one.config, /\{\{/);
  assert.match(one.config, /^\s*daemon off;$/m);
  assert.match(one.config, /^\s*worker_processes 1;$/m);
  assert.match(one.config, /^\s*tcp_nopush off;$/m);
  assert.match(one.config, /^\s*access_log off;$/m);
  assert.match(one.config, /^\s*listen 127\.0\.0\.1:41001;$/m);
  assert.match(one.config, /^\s*server 127\.0\.0\.1:41002;$/m);
  assert.match(one.config, /^\s*proxy_http_version 1\.1;$/m);
  assert.match(one.config, /^\s*keepalive \d+;$/m);
  assert.ok(one.config.includes(`proxy_cache_path ${one.dir}/cache `));
  assert.ok(one.config.includes(`max_size=${CACHE_MIB}m`));
  assert.deepEqual(one.command.slice(0, 1), ["/usr/sbin/nginx"]);
  assert.ok(one.command.includes(`${one.dir}/nginx.conf`));
  const auto = await prepared("nginx-auto", "nginx.conf");
  assert.match(auto.config, /^\s*worker_processes auto;$/m);
});

Deno.test("Varnish's VCL points at the origin, limits object size and runs in the foreground with enough storage", async () => {
  const { command, config, dir } = await prepared("varnish", "bench.vcl");
  assert.doesNotMatch(config, /\{\{/);
  assert.match(config, /^vcl 4\.1;$/m);
  assert.match(config, /\.port = "41002";/);
  assert.ok(config.includes(`> ${MAX_OBJECT_MIB * 1024 * 1024})`));
  assert.deepEqual(command, [
    "/usr/sbin/varnishd",
    "-F",
    "-f",
    `${dir}/bench.vcl`,
    "-a",
    "127.0.0.1:41001",
    "-n",
    `${dir}/work`,
    "-s",
    `malloc,${CACHE_MIB}m`,
  ]);
});

Deno.test("Squid's config is an accelerator in front of the origin with room for the largest object", async () => {
  const { command, config, dir } = await prepared("squid", "squid.conf");
  assert.doesNotMatch(config, /\{\{/);
  assert.match(
    config,
    /^http_port 127\.0\.0\.1:41001 accel defaultsite=127\.0\.0\.1$/m,
  );
  assert.match(
    config,
    /^cache_peer 127\.0\.0\.1 parent 41002 0 no-query originserver/m,
  );
  assert.match(config, new RegExp(`^cache_mem ${CACHE_MIB} MB$`, "m"));
  assert.match(
    config,
    new RegExp(`^maximum_object_size ${MAX_OBJECT_MIB} MB$`, "m"),
  );
  assert.match(
    config,
    new RegExp(`^maximum_object_size_in_memory ${MAX_OBJECT_MIB} MB$`, "m"),
  );
  assert.ok(config.includes(`pid_filename ${dir}/squid.pid`));
  assert.deepEqual(command, [
    "/usr/sbin/squid",
    "-N",
    "-f",
    `${dir}/squid.conf`,
  ]);
});

Deno.test("cachelab's command runs main.ts proxy with its cache folder and the shared limits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cachelab-bench-test-" });
  try {
    const command = await spec("cachelab").prepare({
      dir,
      port: 41001,
      originPort: 41002,
      programs: {},
    });
    const at = command.indexOf("proxy");
    assert.deepEqual(command.slice(at, at + 3), ["proxy", "41001", "41002"]);
    assert.deepEqual(
      command.slice(
        command.indexOf("--cache-dir"),
        command.indexOf("--cache-dir") + 2,
      ),
      ["--cache-dir", `${dir}/cache`],
    );
    assert.ok(command.includes(`${MAX_OBJECT_MIB}MiB`));
    assert.ok(command.includes("--quiet"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("passwdIds() finds a user's uid and gid and ignores other lines", () => {
  const passwd = [
    "root:x:0:0:root:/root:/bin/bash",
    "proxy:x:13:13:proxy:/bin:/usr/sbin/nologin",
    "",
  ].join("\n");
  assert.deepEqual(passwdIds(passwd, "proxy"), { uid: 13, gid: 13 });
  assert.equal(passwdIds(passwd, "squid"), undefined);
});
