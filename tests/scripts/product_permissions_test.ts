import assert from "../helpers/assert.ts";
import { productPermissions } from "../../scripts/product_permissions.ts";

Deno.test("productPermissions() reads the --allow-* and --v8-flags= flags of the compile task", () => {
  const json = JSON.stringify({
    tasks: {
      compile:
        "deno compile --v8-flags=--max-semi-space-size=2 --allow-net --allow-read -o cachelab main.ts",
    },
  });
  assert.deepEqual(productPermissions(json), [
    "--v8-flags=--max-semi-space-size=2",
    "--allow-net",
    "--allow-read",
  ]);
});

Deno.test("productPermissions() refuses a compile task without permissions", () => {
  const json = JSON.stringify({
    tasks: { compile: "deno compile --v8-flags=--x -o c main.ts" },
  });
  assert.throws(() => productPermissions(json), /no --allow-\* flag/);
  assert.throws(() => productPermissions("{}"), /no "compile" task/);
});

Deno.test("the project's compile task names the runtime flags the tests and start use", async () => {
  const flags = productPermissions(
    await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
  );
  assert.ok(flags.includes("--allow-net"));
  assert.ok(flags.some((f) => f.startsWith("--v8-flags=")));
});
