/**
 * Owns reading the runtime flags cachelab runs with from one place: the
 * `--allow-*` and `--v8-flags=` flags of the `compile` task in deno.json.
 * `deno task start`, the tests and the benchmark run main.ts with exactly
 * these, so a permission the binary lacks fails here first, and what is
 * measured is what the binary does.
 *
 * Must not be imported by product code.
 */

/** The `--allow-*` and `--v8-flags=` flags of the compile task in the text of deno.json. */
export function productPermissions(denoJsonText: string): string[] {
  const config = JSON.parse(denoJsonText);
  const compile = config?.tasks?.compile;
  if (typeof compile !== "string") {
    throw new Error('Cannot read permissions: deno.json has no "compile" task');
  }
  const words: string[] = compile.split(/\s+/);
  const flags = words.filter((word) =>
    word.startsWith("--allow-") || word.startsWith("--v8-flags=")
  );
  if (!flags.some((flag) => flag.startsWith("--allow-"))) {
    throw new Error(
      "Cannot read permissions: the compile task has no --allow-* flag",
    );
  }
  return flags;
}

/** The same, read from the deno.json next to this script. */
export async function readProductPermissions(): Promise<string[]> {
  const path = new URL("../deno.json", import.meta.url);
  return productPermissions(await Deno.readTextFile(path));
}
