/**
 * Tests the import-layering check on small trees written to temp folders:
 * a clean tree passes, each forbidden edge is reported with its file and
 * specifier, and the script exits 1 only when something is wrong.
 */

import assert from "../helpers/assert.ts";
import {
  checkLayers,
  importCycles,
  importsOf,
} from "../../scripts/check_layers.ts";

const SCRIPT =
  new URL("../../scripts/check_layers.ts", import.meta.url).pathname;
const DENO_JSON = JSON.stringify({
  imports: { "mime-types": "npm:mime-types@3.0.1" },
});

/** Writes `files` (path -> source) under a new temp folder. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "cachelab-layers-" });
  await Deno.writeTextFile(`${root}/deno.json`, DENO_JSON);
  for (const [path, source] of Object.entries(files)) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    if (dir !== "") await Deno.mkdir(`${root}/${dir}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, source);
  }
  return root;
}

const imp = (specifier: string) =>
  `import { x } from "${specifier}";\nexport const y = x;\n`;

const CLEAN_TREE: Record<string, string> = {
  "http/headers.ts":
    'import { a } from "./bytes.ts";\nimport { Buffer } from "node:buffer";\n',
  "http/bytes.ts": "export const a = 1;\n",
  "cache/meta.ts":
    'import type { Field } from "../http/headers.ts";\nimport "./store.ts";\n',
  "cache/store.ts": imp("../http/types.ts"),
  "origin/media_types.ts": 'import mime from "mime-types";\n',
  "origin/mod.ts": imp("../http/server.ts"),
  "proxy/mod.ts": `${imp("../cache/store.ts")}${imp("../http/client.ts")}`,
  "cli/help.ts": 'import config from "../deno.json" with { type: "json" };\n',
  "cli/run.ts": `${imp("../origin/mod.ts")}${imp("../http/access_log.ts")}`,
  "main.ts": `${imp("./cli/run.ts")}${imp("./proxy/mod.ts")}`,
  "scripts/bench.ts": imp("../proxy/mod.ts"),
  "tests/proxy/mod_test.ts": `${imp("../../proxy/mod.ts")}${
    imp("../../scripts/bench.ts")
  }`,
  "tests/media_test.ts": 'import mime from "npm:mime-types@3.0.1";\n',
  "demo/page.js": imp("../proxy/mod.ts"),
};

Deno.test("importsOf() finds static, type, re-export, side-effect and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    "import {",
    "  c,",
    "  d as e,",
    '} from "./c.ts";',
    'export * from "./d.ts";',
    'export { f } from "./f.ts";',
    'import "./side.ts";',
    'const g = await import("./g.ts");',
    'import config from "../deno.json" with { type: "json" };',
  ].join("\n");
  assert.deepEqual(importsOf(source), [
    "./a.ts",
    "../b.ts",
    "./c.ts",
    "./d.ts",
    "./f.ts",
    "./side.ts",
    "./g.ts",
    "../deno.json",
  ]);
});

Deno.test("importsOf() ignores imports written in comments and plain strings", () => {
  const source = [
    "/**",
    ' * import { a } from "../proxy/mod.ts";',
    ' * await import("../cache/x.ts")',
    " */",
    '// import { b } from "../cache/b.ts";',
    'const text = "we import from here";',
    "export const from = 1;",
  ].join("\n");
  assert.deepEqual(importsOf(source), []);
});

Deno.test("checkLayers() reports nothing when every import follows the module map", async () => {
  const root = await tree(CLEAN_TREE);
  try {
    const { files, violations } = await checkLayers(root);
    assert.deepEqual(violations, []);
    assert.equal(
      files,
      Object.keys(CLEAN_TREE).length - 1,
      "demo/ is not scanned",
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

const VIOLATIONS: {
  name: string;
  file: string;
  source: string;
  expected: string;
}[] = [
  {
    name: "http imports cache",
    file: "http/server.ts",
    source: imp("../cache/meta.ts"),
    expected:
      "http/server.ts imports ../cache/meta.ts: forbidden edge http -> cache",
  },
  {
    name: "cache imports an http module outside its list",
    file: "cache/policy.ts",
    source: imp("../http/server.ts"),
    expected:
      "cache/policy.ts imports ../http/server.ts: forbidden edge cache -> http/server.ts",
  },
  {
    name: "origin imports proxy",
    file: "origin/handler.ts",
    source: imp("../proxy/mod.ts"),
    expected:
      "origin/handler.ts imports ../proxy/mod.ts: forbidden edge origin -> proxy",
  },
  {
    name: "origin imports cache",
    file: "origin/handler.ts",
    source: imp("../cache/store.ts"),
    expected:
      "origin/handler.ts imports ../cache/store.ts: forbidden edge origin -> cache",
  },
  {
    name: "proxy imports origin",
    file: "proxy/handler.ts",
    source: imp("../origin/mod.ts"),
    expected:
      "proxy/handler.ts imports ../origin/mod.ts: forbidden edge proxy -> origin",
  },
  {
    name: "proxy imports cli",
    file: "proxy/handler.ts",
    source: imp("../cli/args.ts"),
    expected:
      "proxy/handler.ts imports ../cli/args.ts: forbidden edge proxy -> cli",
  },
  {
    name: "main imports an http module other than the access log",
    file: "main.ts",
    source: imp("./http/server.ts"),
    expected:
      "main.ts imports ./http/server.ts: forbidden edge main.ts -> http/server.ts",
  },
  {
    name: "product code imports tests",
    file: "proxy/stats.ts",
    source: imp("../tests/helpers/peer.ts"),
    expected:
      "proxy/stats.ts imports ../tests/helpers/peer.ts: forbidden edge proxy -> tests",
  },
  {
    name: "product code imports scripts",
    file: "cli/run.ts",
    source: imp("../scripts/start.ts"),
    expected:
      "cli/run.ts imports ../scripts/start.ts: forbidden edge cli -> scripts",
  },
  {
    name: "scripts import tests",
    file: "scripts/bench.ts",
    source: imp("../tests/helpers/peer.ts"),
    expected:
      "scripts/bench.ts imports ../tests/helpers/peer.ts: forbidden edge scripts -> tests",
  },
  {
    name: "an npm package is imported outside its wrapper",
    file: "origin/handler.ts",
    source: 'import mime from "mime-types";\n',
    expected:
      "origin/handler.ts imports mime-types: forbidden edge origin/handler.ts -> " +
      "npm:mime-types (only origin/media_types.ts may import it)",
  },
  {
    name: "an npm package has no wrapper",
    file: "proxy/x.ts",
    source: 'import chalk from "npm:chalk@5.3.0";\n',
    expected:
      "proxy/x.ts imports npm:chalk@5.3.0: forbidden edge proxy/x.ts -> " +
      "npm:chalk (no wrapper module is listed for it in scripts/check_layers.ts)",
  },
  {
    name: "a file uses a jsr import",
    file: "tests/x_test.ts",
    source: 'import { assert } from "jsr:@std/assert@1";\n',
    expected:
      "tests/x_test.ts imports jsr:@std/assert@1: forbidden edge tests -> " +
      "jsr:@std/assert@1 (only npm: and node: are reachable)",
  },
  {
    name: "a bare specifier is missing from deno.json",
    file: "http/x.ts",
    source: 'import x from "left-pad";\n',
    expected:
      'http/x.ts imports left-pad: forbidden edge http -> left-pad (not in deno.json "imports")',
  },
  {
    name: "an import leaves the project",
    file: "http/x.ts",
    source: imp("../../elsewhere.ts"),
    expected:
      "http/x.ts imports ../../elsewhere.ts: forbidden edge: it leaves the project",
  },
  {
    name: "a file lies outside the module map",
    file: "bench/run.ts",
    source: "export const a = 1;\n",
    expected:
      "bench/run.ts is outside the module map: add its layer to scripts/check_layers.ts",
  },
];

for (const { name, file, source, expected } of VIOLATIONS) {
  Deno.test(`checkLayers() reports one violation when ${name}`, async () => {
    const root = await tree({ ...CLEAN_TREE, [file]: source });
    try {
      const { violations } = await checkLayers(root);
      assert.deepEqual(violations, [expected]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("checkLayers() reports an import cycle inside a folder, type-only imports included", async () => {
  const root = await tree({
    ...CLEAN_TREE,
    "proxy/a.ts": 'import type { B } from "./b.ts";\nexport type A = B;\n',
    "proxy/b.ts": 'import type { A } from "./a.ts";\nexport type B = A;\n',
  });
  try {
    const { violations } = await checkLayers(root);
    assert.deepEqual(violations, [
      "import cycle: proxy/a.ts -> proxy/b.ts -> proxy/a.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkLayers() reports a cycle that crosses folders of one layer once, through its first file", async () => {
  const root = await tree({
    ...CLEAN_TREE,
    "proxy/context.ts": imp("./caching/state.ts"),
    "proxy/caching/state.ts": imp("./tasks.ts"),
    "proxy/caching/tasks.ts": imp("../context.ts"),
    "proxy/caching/flow.ts": `${imp("../context.ts")}${imp("./state.ts")}`,
  });
  try {
    const { violations } = await checkLayers(root);
    assert.deepEqual(violations, [
      "import cycle: proxy/caching/state.ts -> proxy/caching/tasks.ts -> proxy/context.ts -> proxy/caching/state.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("importCycles() finds each group of files that import each other, a file importing itself included, and nothing in a tree without cycles", () => {
  const graph = new Map<string, string[]>([
    ["x/a.ts", ["x/b.ts"]],
    ["x/b.ts", ["x/c.ts", "http/h.ts"]],
    ["x/c.ts", ["x/a.ts"]],
    ["x/d.ts", ["x/d.ts"]],
    ["x/e.ts", ["x/a.ts"]],
  ]);
  assert.deepEqual(importCycles(graph), [
    "import cycle: x/a.ts -> x/b.ts -> x/c.ts -> x/a.ts",
    "import cycle: x/d.ts -> x/d.ts",
  ]);
  assert.deepEqual(
    importCycles(
      new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", []]]),
    ),
    [],
  );
});

async function runScript(root: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", `--allow-read=${root}`, SCRIPT, root],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: decode(output.stderr),
  };
}

Deno.test("check_layers.ts exits 1 with one line per violation when imports cross layers", async () => {
  const root = await tree({
    ...CLEAN_TREE,
    "http/a.ts": imp("../cache/meta.ts"),
    "origin/b.ts": imp("../proxy/mod.ts"),
  });
  try {
    const { code, stderr } = await runScript(root);
    assert.equal(code, 1);
    assert.deepEqual(stderr.trimEnd().split("\n"), [
      "http/a.ts imports ../cache/meta.ts: forbidden edge http -> cache",
      "origin/b.ts imports ../proxy/mod.ts: forbidden edge origin -> proxy",
      `check_layers: 2 forbidden import(s) in ${
        Object.keys(CLEAN_TREE).length + 1
      } files`,
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("check_layers.ts exits 0 when the tree is clean", async () => {
  const root = await tree(CLEAN_TREE);
  try {
    const { code, stdout, stderr } = await runScript(root);
    assert.equal(stderr, "");
    assert.equal(code, 0);
    assert.match(stdout, /^check_layers: \d+ files follow the module map\n$/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
